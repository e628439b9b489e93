/**
 * Quiet streams cost little, and writes still arrive at once: a stream consumer of the local
 * event source mapping backs off while its stream stays quiet, and the stack wakes it whenever
 * it serves a write (an HTTP request other than a read, a stream handler's invocation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumers } from '../../shared/config/streams.ts';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { createInstanceSchema } from '../../shared/domain/instance.ts';
import { ensureTables, prefixedTableNames } from '../../infra/local/tables.ts';
import { StreamPoller } from '../../infra/local/stream-poller.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { stack as sharedStack } from '../support/api.ts';
import { connect } from '../support/ws.ts';

const consumer = streamConsumers.find((c) => c.id === 'HistoryWriter')!;
/** Longer than any wait below, so only a wake can explain a prompt delivery. */
const MINUTE = 60_000;

const newInstance = (name: string) =>
  createInstanceSchema.parse({ name, model_name: 'm', cluster_name: 'c', image_tag: 't' });

describe('a stream consumer on a quiet stream', () => {
  const names = prefixedTableNames(`idle-${randomUUID().slice(0, 6)}-`);
  let streamArn = '';
  let repo: InstanceRepository;
  const started: StreamPoller[] = [];

  beforeAll(async () => {
    const admin = new DynamoDBClient({ endpoint: sharedStack().dynamodb, ...LOCAL_AWS });
    streamArn = (await ensureTables(admin, names)).instances!;
    repo = new InstanceRepository(createDocumentClient(admin), names);
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop()));
  });

  const poller = (pollMs: number, idleMs: number, delivered: string[] = []) => {
    const p = new StreamPoller({
      consumer,
      streamArn,
      endpoint: sharedStack().dynamodb,
      pollMs,
      idleMs,
      handler: async (event: DynamoDBStreamEvent) => {
        for (const r of event.Records) delivered.push(r.dynamodb!.NewImage?.name?.S ?? '');
        return { batchItemFailures: [] };
      },
    });
    started.push(p);
    p.start();
    return p;
  };

  it('reads less and less often, down to once per idleMs', async () => {
    const p = poller(50, 800);
    // Waits of 50, 100, 200 and 400 ms follow the first four reads; from the fifth on, 800.
    await expect.poll(() => p.reads).toBeGreaterThanOrEqual(5);
    const from = p.reads;
    const t0 = performance.now();
    await expect.poll(() => p.reads).toBeGreaterThanOrEqual(from + 3);
    // Three more reads have two full 800 ms waits between them (less a margin for timer
    // rounding); at the fixed 50 ms interval this replaced they took ~150 ms. Load only adds.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1_500);
  });

  it('reads at once when woken, whatever its wait', async () => {
    const delivered: string[] = [];
    // Its first read finds nothing, and the next is a minute away unless something wakes it.
    const p = poller(MINUTE, MINUTE, delivered);
    await expect.poll(() => p.reads).toBeGreaterThanOrEqual(1);
    const name = `woken-${randomUUID().slice(0, 6)}`;
    await repo.create(newInstance(name), { actor: 'idle-test', opId: 'idle' });
    p.wake();
    await expect.poll(() => delivered).toContain(name);
  });
});

describe('the local stack', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    // Consumers that poll once a minute: whatever arrives sooner was woken by the stack.
    stack = await startLocalStack({ port: 0, streamPollMs: MINUTE, streamIdleMs: MINUTE });
  });

  let stopped = false;
  afterAll(async () => {
    if (!stopped) await stack?.stop();
  });

  it('wakes its consumers for a write it serves: history and broadcast follow at once', async () => {
    // Each consumer has read its stream once and found nothing: its next read is a minute off.
    for (const p of stack.pollers.values())
      await expect.poll(() => p.reads).toBeGreaterThanOrEqual(1);
    const client = await connect('topics=instances', stack.wsUrl);
    try {
      const res = await fetch(`${stack.url}/api/instances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'wake-me',
          model_name: 'm',
          cluster_name: 'c',
          image_tag: 't',
        }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: number };
      // The history writer reads the instances stream because the POST woke it; the
      // broadcaster reads the history stream because the history writer's invocation did.
      const event = await client.waitFor(
        (m) => m.type === 'instance.created' && m.instance_id === id,
        15_000,
      );
      expect(event.instance.name).toBe('wake-me');
      const history = await fetch(`${stack.url}/api/instances/${id}/history`);
      expect(((await history.json()) as { items: unknown[] }).items).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it("stops without waiting out its consumers' idle waits", async () => {
    stopped = true;
    const timings = await stack.stop();
    // Every consumer is in a minute-long wait; draining ends the waits instead of sitting them
    // out until the 20 s drain deadline.
    expect(timings.streams - timings.requests).toBeLessThan(10_000);
  });
});
