/**
 * Per-principal WebSocket message limit (issue "Hardening", item 5): the connections of one
 * user share one budget per minute, on top of each connection's own.
 *
 * On a stack of its own, started with `--auth`: the shared stack runs with auth off, where every
 * connection is the same principal, so flooding it would throttle the other test files for the
 * rest of the minute; and only with tokens can a second user show that the limit is per user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadOrCreateKeys, mintToken } from '../../infra/local/auth.ts';
import { MESSAGES_PER_MINUTE, MESSAGES_PER_PRINCIPAL_PER_MINUTE } from '../../shared/ws/handler.ts';
import { eventually } from '../support/api.ts';
import { spawnStack, type SpawnedStack } from '../support/spawn-stack.ts';

let stack: SpawnedStack;
let dataDir: string;
const tokens = { alice: '', bob: '' };

interface Socket {
  ws: WebSocket;
  messages: any[];
}

async function open(token: string): Promise<Socket> {
  const ws = new WebSocket(`${stack.info.ws}?token=${token}`);
  const messages: any[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages };
}

const pongs = (s: Socket) => s.messages.filter((m) => m.type === 'pong').length;
const throttled = (s: Socket, scope: string) =>
  s.messages.filter(
    (m) => m.type === 'error' && m.error.type === 'Throttled' && m.error.details?.scope === scope,
  );

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ws-principal-'));
  stack = await spawnStack(['--in-memory', '--auth', '--data-dir', dataDir]);
  const keys = await loadOrCreateKeys(dataDir);
  tokens.alice = await mintToken(keys, { sub: 'alice', scopes: ['instances:read'] });
  tokens.bob = await mintToken(keys, { sub: 'bob', scopes: ['instances:read'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('WebSocket messages per principal', () => {
  it(`lets the connections of one user send ${MESSAGES_PER_PRINCIPAL_PER_MINUTE} messages a minute together, then answers Throttled; other users and the connections are unaffected`, async () => {
    const perConnection = 100;
    const connections = 4;
    // Under each connection's own limit, so only the per-user limit can refuse anything.
    expect(perConnection).toBeLessThan(MESSAGES_PER_MINUTE);
    expect(perConnection * connections).toBeGreaterThan(MESSAGES_PER_PRINCIPAL_PER_MINUTE);

    /**
     * 4 connections of a fresh user × 100 pings, in rounds of one ping per connection (a burst
     * of 400 at once would overrun the one-process local gateway's Management API, which is not
     * what this test is about). Counters are per calendar minute: a run that crossed into the
     * next minute split its pings between two budgets, so it is run again with another user,
     * now from the start of a minute.
     */
    const flood = async (sub: string) => {
      const keys = await loadOrCreateKeys(dataDir);
      const token = await mintToken(keys, { sub, scopes: ['instances:read'] });
      const sockets = await Promise.all(Array.from({ length: connections }, () => open(token)));
      const minute = Math.floor(Date.now() / 60_000);
      for (let round = 1; round <= perConnection; round++) {
        for (const s of sockets) s.ws.send(JSON.stringify({ action: 'ping' }));
        await eventually(async () => sockets.every((s) => s.messages.length === round), 20_000, 5);
      }
      return { sockets, minute, crossed: Math.floor(Date.now() / 60_000) !== minute };
    };
    let run = await flood('alice');
    for (let attempt = 2; run.crossed && attempt <= 3; attempt++) {
      for (const s of run.sockets) s.ws.close();
      run = await flood(`alice-${attempt}`);
    }
    expect(run.crossed).toBe(false);
    const alice = run.sockets;
    const bob = await open(tokens.bob);

    // Assess: exactly the budget got through; the rest was refused as per-user throttling.
    const answered = alice.reduce((n, s) => n + pongs(s), 0);
    const refused = alice.flatMap((s) => throttled(s, 'principal'));
    expect(answered).toBe(MESSAGES_PER_PRINCIPAL_PER_MINUTE);
    expect(refused).toHaveLength(perConnection * alice.length - MESSAGES_PER_PRINCIPAL_PER_MINUTE);
    expect(alice.flatMap((s) => throttled(s, 'connection'))).toEqual([]);
    expect(refused[0].error).toMatchObject({
      message: `At most ${MESSAGES_PER_PRINCIPAL_PER_MINUTE} messages per minute across all connections of one user`,
      details: { limit_per_minute: MESSAGES_PER_PRINCIPAL_PER_MINUTE },
    });
    expect(refused[0].error.details.retry_after_seconds).toBeGreaterThan(0);
    expect(alice.every((s) => s.ws.readyState === WebSocket.OPEN)).toBe(true);

    // Positive control: another user is answered; the flooding user still is not — unless the
    // minute turned meanwhile, when its new budget answers.
    const sentIn = Math.floor(Date.now() / 60_000);
    bob.ws.send(JSON.stringify({ action: 'ping' }));
    alice[0]!.ws.send(JSON.stringify({ action: 'ping' }));
    await eventually(
      async () => pongs(bob) === 1 && alice[0]!.messages.length === perConnection + 1,
    );
    const answeredIn = Math.floor(Date.now() / 60_000);
    const last = alice[0]!.messages.at(-1);
    const stillThrottled = {
      type: 'error',
      error: { type: 'Throttled', details: { scope: 'principal' } },
    };
    if (answeredIn === run.minute) {
      // Sent and answered within the flooded minute.
      expect(last).toMatchObject(stillThrottled);
    } else if (sentIn !== run.minute) {
      // Sent after the minute turned: a new budget.
      expect(last.type).toBe('pong');
    } else if (last.type !== 'pong') {
      // The minute turned between send and answer: a pong (new budget) or still throttled.
      expect(last).toMatchObject(stillThrottled);
    }

    for (const s of [...alice, bob]) s.ws.close();
  }, 150_000);
});
