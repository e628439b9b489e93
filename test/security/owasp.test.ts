/**
 * OWASP API Security Top 10 (2023), item by item, against the local stack started exactly as
 * `npm start -- --in-memory --auth` (tokens from the same signing key `npm run token` uses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SignJWT, generateKeyPair, importJWK, type JWTPayload } from 'jose';
import { TOKEN_LIMITS } from '../../shared/config/auth.ts';
import { routes } from '../../shared/routes/index.ts';
import {
  loadOrCreateKeys,
  mintToken,
  LOCAL_ISSUER,
  LOCAL_AUDIENCE,
} from '../../infra/local/auth.ts';
import { spawnStack, type SpawnedStack } from '../support/spawn-stack.ts';

let stack: SpawnedStack;
let dataDir: string;
let keys: Awaited<ReturnType<typeof loadOrCreateKeys>>;
const tokens: Record<'read' | 'write' | 'admin', string> = { read: '', write: '', admin: '' };

async function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${stack.info.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: json };
}

const newInstance = () => ({
  name: `sec-${randomUUID().slice(0, 8)}`,
  model_name: 'm',
  cluster_name: 'c',
  image_tag: 't',
});

function wsOpen(query: string): Promise<{ status: number | 'open'; socket?: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${stack.info.ws}?${query}`);
    socket.once('open', () => resolve({ status: 'open', socket }));
    socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    socket.once('error', () => undefined);
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sec-'));
  stack = await spawnStack(['--in-memory', '--auth', '--data-dir', dataDir]);
  keys = await loadOrCreateKeys(dataDir);
  tokens.read = await mintToken(keys, { sub: 'reader', scopes: ['instances:read'] });
  tokens.write = await mintToken(keys, {
    sub: 'writer',
    scopes: ['instances:read', 'instances:write'],
  });
  tokens.admin = await mintToken(keys, {
    sub: 'admin',
    scopes: ['instances:read', 'instances:write', 'instances:admin'],
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('API2 Broken Authentication', () => {
  it('401 without a token, with an expired, forged, wrong-audience, wrong-issuer or alg=none token', async () => {
    const otherKey = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ scope: 'instances:admin' })
      .setProtectedHeader({ alg: 'ES256', kid: keys.privateJwk.kid! })
      .setSubject('mallory')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime(now + 600)
      .sign(otherKey.privateKey);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, exp: now + 600, scope: 'instances:admin' })).toString('base64url')}.`;
    const bad = {
      none: undefined,
      expired: await mintToken(keys, { sub: 'late', scopes: ['instances:read'], ttlSeconds: -120 }),
      forged,
      audience: await mintToken(keys, {
        sub: 'x',
        scopes: ['instances:read'],
        audience: 'someone-else',
      }),
      issuer: await mintToken(keys, {
        sub: 'x',
        scopes: ['instances:read'],
        issuer: 'https://evil.example',
      }),
      algNone: unsigned,
      garbage: 'not.a.jwt',
    };
    for (const [what, token] of Object.entries(bad)) {
      const res = await call('GET', '/api/instances', token);
      expect(res.status, what).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await call('GET', '/api/instances', tokens.read)).status).toBe(200);
  });

  describe('time and key limits (TOKEN_LIMITS), on HTTP and at $connect alike', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const YEAR = 365 * 24 * 60 * 60;
    /** Signs exactly these claims and header with the stack's own key: only the limit is wrong. */
    async function sign(
      claims: JWTPayload,
      header: { kid?: string } = { kid: keys.privateJwk.kid! },
    ) {
      const key = await importJWK(keys.privateJwk, 'ES256');
      return new SignJWT({
        iss: LOCAL_ISSUER,
        aud: LOCAL_AUDIENCE,
        sub: 'lax',
        scope: 'instances:read',
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...header })
        .sign(key);
    }
    const cases: [string, () => Promise<string>][] = [
      ['without kid', () => sign({ iat: now(), exp: now() + 600 }, {})],
      ['with a kid not in the JWKS', () => sign({ iat: now(), exp: now() + 600 }, { kid: 'gone' })],
      ['without exp', () => sign({ iat: now() })],
      ['without iat', () => sign({ exp: now() + 600 })],
      [
        'with iat ten years ahead',
        () => sign({ iat: now() + 10 * YEAR, exp: now() + 10 * YEAR + 600 }),
      ],
      [
        'with nbf beyond the clock skew',
        () => sign({ iat: now(), nbf: now() + 300, exp: now() + 600 }),
      ],
      ['with exp a century out', () => sign({ iat: now(), exp: now() + 100 * YEAR })],
      [
        'living longer than the maximum lifetime',
        () => sign({ iat: now(), exp: now() + TOKEN_LIMITS.maxLifetimeSeconds + 60 }),
      ],
    ];

    it.each(cases)('401 on HTTP for a token %s', async (_what, make) => {
      const res = await call('GET', '/api/instances', await make());
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized' });
    });

    it.each(cases)('$connect refuses (401) a token %s', async (_what, make) => {
      expect((await wsOpen(`token=${await make()}`)).status).toBe(401);
    });

    it('the same claims with a kid, exp and a sane lifetime pass both', async () => {
      const token = await sign({ iat: now(), exp: now() + 600 });
      expect((await call('GET', '/api/instances', token)).status).toBe(200);
      const ws = await wsOpen(`token=${token}`);
      expect(ws.status).toBe('open');
      ws.socket?.close();
    });
  });

  it('npm run token mints a token both accept, and refuses a --ttl over the maximum', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'infra/local/token.ts', '--data-dir', dataDir, ...args],
        { encoding: 'utf8' },
      );
    const { stdout } = await run('--sub', 'cli', '--ttl', String(TOKEN_LIMITS.maxLifetimeSeconds));
    const token = stdout.trim().split('\n').at(-1)!;
    expect((await call('GET', '/api/instances', token)).status).toBe(200);
    const ws = await wsOpen(`token=${token}`);
    expect(ws.status).toBe('open');
    ws.socket?.close();
    await expect(
      run('--sub', 'cli', '--ttl', String(TOKEN_LIMITS.maxLifetimeSeconds + 1)),
    ).rejects.toMatchObject({ code: 2, stdout: '' });
  });

  it('refuses a WebSocket without a valid token and accepts one with it', async () => {
    expect((await wsOpen('')).status).toBe(401);
    expect((await wsOpen('token=garbage')).status).toBe(401);
    const ok = await wsOpen(`token=${tokens.read}`);
    expect(ok.status).toBe('open');
    ok.socket?.close();
  });

  it('refuses a validly signed token whose subject cannot be recorded as the actor', async () => {
    for (const sub of ['bob\u001b[31m', 'eve\u202Eadmin', 'x'.repeat(257)]) {
      const token = await mintToken(keys, { sub, scopes: ['instances:write'] });
      const res = await call('POST', '/api/instances', token, newInstance());
      expect(res.status, JSON.stringify(sub)).toBe(401);
      expect(res.body.error.message).toMatch(/^The token's subject \(sub\) must /);
      expect((await wsOpen(`token=${token}`)).status, JSON.stringify(sub)).toBe(401);
    }
  });
});

describe('API5 Broken Function Level Authorization', () => {
  const rank = { read: 0, 'instances:write': 1, 'instances:admin': 2 } as const;
  for (const route of routes.filter((r) => r.scope !== 'read')) {
    it(`${route.method} ${route.path} needs ${route.scope}`, async () => {
      const path = route.path.replace(/\{[^}]+\}/g, '1');
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const insufficient = (Object.keys(tokens) as (keyof typeof tokens)[]).filter(
        (k) =>
          rank[k === 'read' ? 'read' : k === 'write' ? 'instances:write' : 'instances:admin'] <
          rank[route.scope],
      );
      expect(insufficient.length).toBeGreaterThan(0);
      for (const who of insufficient) {
        const res = await call(route.method, path, tokens[who], body);
        expect(res.status, who).toBe(403);
        expect(res.body.error.type).toBe('Forbidden');
      }
      const allowed = await call(route.method, path, tokens.admin, body);
      expect(allowed.status).not.toBe(403);
      expect(allowed.status).toBeLessThan(500);
    });
  }

  it('shows the documented flow: read GET 200 / POST 403, write POST 201 / DELETE 403, admin DELETE 200, actor = subject', async () => {
    expect((await call('GET', '/api/instances', tokens.read)).status).toBe(200);
    expect((await call('POST', '/api/instances', tokens.read, newInstance())).status).toBe(403);
    const created = await call('POST', '/api/instances', tokens.write, newInstance());
    expect(created.status).toBe(201);
    expect(created.body.created_by).toBe('writer');
    expect((await call('DELETE', `/api/instances/${created.body.id}`, tokens.write)).status).toBe(
      403,
    );
    expect((await call('DELETE', `/api/instances/${created.body.id}`, tokens.admin)).status).toBe(
      200,
    );
    let history: any;
    for (let i = 0; i < 100; i++) {
      history = await call(
        'GET',
        `/api/instances/${created.body.id}/history?sort_order=asc`,
        tokens.read,
      );
      if (history.body?.total === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(history.body.items.map((r: any) => [r.operation_type, r.actor])).toEqual([
      ['create', 'writer'],
      ['delete', 'admin'],
    ]);
  });
});

describe('API1 Broken Object Level Authorization', () => {
  it('an Idempotency-Key is scoped to its caller: another principal cannot replay it', async () => {
    const key = randomUUID();
    const body = newInstance();
    const first = await call('POST', '/api/instances', tokens.write, body, {
      'idempotency-key': key,
    });
    expect(first.status).toBe(201);
    const other = await mintToken(keys, {
      sub: 'someone-else',
      scopes: ['instances:read', 'instances:write'],
    });
    const replayByOther = await call('POST', '/api/instances', other, body, {
      'idempotency-key': key,
    });
    expect(replayByOther.headers.get('idempotent-replayed')).toBeNull();
    expect(replayByOther.status).toBe(409); // executed for real: the name is taken
  });
});

describe('API3 Broken Object Property Level Authorization', () => {
  it('rejects mass assignment of read-only fields and never returns internal attributes', async () => {
    const res = await call('POST', '/api/instances', tokens.write, {
      ...newInstance(),
      id: 1,
      version: 99,
      created_by: 'ceo',
      updated_at: '2020-01-01',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toMatchObject({
      id: 'read-only field',
      version: 'read-only field',
      created_by: 'read-only field',
      updated_at: 'read-only field',
    });
    const created = await call('POST', '/api/instances', tokens.write, newInstance());
    const patch = await call('PATCH', `/api/instances/${created.body.id}`, tokens.write, {
      created_by: 'ceo',
    });
    expect(patch.status).toBe(422);
    const got = await call('GET', `/api/instances/${created.body.id}`, tokens.read);
    expect(
      Object.keys(got.body).filter(
        (k) => k.startsWith('_') || ['name_lower', 'list_pk', 'deleted'].includes(k),
      ),
    ).toEqual([]);
  });
});

describe('API4 Unrestricted Resource Consumption', () => {
  it('bounds body size, nesting, page size and batch size with 4xx, never 5xx', async () => {
    const big = await call('POST', '/api/instances', tokens.write, {
      ...newInstance(),
      description: 'x'.repeat(65 * 1024),
    });
    expect(big.status).toBe(413);
    const depth = 5000;
    const nested = `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
    const deep = await call(
      'POST',
      '/api/instances',
      tokens.write,
      `{"name":"deep","model_name":"m","cluster_name":"c","image_tag":"t","envs":${nested}}`,
    );
    expect([413, 422]).toContain(deep.status);
    expect((await call('GET', '/api/instances?limit=1001', tokens.read)).status).toBe(400);
    const ids = Array.from({ length: 101 }, (_, i) => i + 1);
    expect((await call('POST', '/api/instances/batch-delete', tokens.admin, { ids })).status).toBe(
      422,
    );
  });

  it('throttles a chatty WebSocket connection per minute with an error message, connection kept', async () => {
    const { socket } = await wsOpen(`token=${tokens.read}`);
    const messages: any[] = [];
    socket!.on('message', (d) => messages.push(JSON.parse(d.toString())));
    for (let i = 0; i < 130; i++) socket!.send(JSON.stringify({ action: 'ping' }));
    for (let i = 0; i < 200 && messages.length < 130; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(messages.filter((m) => m.type === 'pong').length).toBeLessThanOrEqual(120);
    const throttled = messages.filter((m) => m.type === 'error' && m.error.type === 'Throttled');
    expect(throttled.length).toBeGreaterThanOrEqual(10);
    expect(throttled[0].error.details.retry_after_seconds).toBeGreaterThan(0);
    expect(socket!.readyState).toBe(WebSocket.OPEN);
    socket!.close();
  }, 60_000);

  it('closes a WebSocket that sends a message over 128 KB, like API Gateway', async () => {
    const { socket } = await wsOpen(`token=${tokens.read}`);
    const closed = new Promise<number>((r) => socket!.once('close', (code) => r(code)));
    socket!.send(JSON.stringify({ action: 'ping', pad: 'x'.repeat(130 * 1024) }));
    expect(await closed).toBe(1009);
  });
});

describe('API7 Server Side Request Forgery', () => {
  it('ignores key URLs inside a token header (jku/x5u): keys only come from configuration', async () => {
    const attacker = await generateKeyPair('ES256');
    const token = await new SignJWT({ scope: 'instances:admin' })
      .setProtectedHeader({
        alg: 'ES256',
        jku: 'http://169.254.169.254/latest/meta-data/',
        x5u: 'http://127.0.0.1:1/x',
      } as never)
      .setSubject('mallory')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
      .sign(attacker.privateKey);
    expect((await call('GET', '/api/instances', token)).status).toBe(401);
  });
});

describe('API8 Security Misconfiguration', () => {
  it('error bodies carry the SPEC shape and never a stack trace or AWS internals', async () => {
    const probes = [
      await call('GET', '/api/instances/abc', tokens.read),
      await call('GET', '/api/instances?cursor=eyJ2IjoxfQ', tokens.read),
      await call('POST', '/api/instances', tokens.write, '{"broken":'),
      await call('POST', '/api/instances', tokens.write, 'x', { 'content-type': 'text/plain' }),
      await call('PATCH', '/api/instances/999999999', tokens.write, { replicas: 2 }),
      await call('GET', '/api/history/compare/1/999999999', tokens.read),
      await call('DELETE', '/api/instances', tokens.admin),
    ];
    for (const res of probes) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.request_id).toEqual(expect.any(String));
      expect(res.text).not.toMatch(/\bat \S+ \(|\.ts:\d+|arn:aws|Exception|dynamodb/i);
    }
  });
});

describe('API9 Improper Inventory Management', () => {
  it('has no undocumented debug or admin endpoints', async () => {
    for (const path of [
      '/api/debug',
      '/api/admin',
      '/api/internal/config',
      '/api/instances/1/raw',
      '/.env',
    ]) {
      const res = await call('GET', path, tokens.admin);
      expect(res.status, path).toBe(404);
    }
  });
});

describe('API10 Unsafe Consumption of APIs', () => {
  it('neutralises spreadsheet formulas in CSV exports', async () => {
    const created = await call('POST', '/api/instances', tokens.write, {
      ...newInstance(),
      description: '=HYPERLINK("http://evil.example","x")',
    });
    let csv = '';
    for (let i = 0; i < 100; i++) {
      const res = await call(
        'GET',
        `/api/instances/${created.body.id}/history/export?format=csv`,
        tokens.read,
      );
      csv = res.text;
      if (res.status === 200 && csv.includes('HYPERLINK')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(csv).toContain('HYPERLINK');
    expect(csv).not.toMatch(/(^|,|\n)"?=HYPERLINK/);
  });
});

describe('API6 Unrestricted Access to Sensitive Business Flows', () => {
  it('bulk destruction (batch delete) needs the admin scope even for a writer', async () => {
    const created = await call('POST', '/api/instances', tokens.write, newInstance());
    const res = await call('POST', '/api/instances/batch-delete', tokens.write, {
      ids: [created.body.id],
    });
    expect(res.status).toBe(403);
    expect((await call('GET', `/api/instances/${created.body.id}`, tokens.read)).status).toBe(200);
  });
});
