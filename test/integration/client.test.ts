/**
 * The typed client (client/) against the local stack: CRUD, ETags, paging, and surviving
 * faults. Faults come from a small proxy in front of the stack (nothing is injected into the
 * product): it can answer 503 + Retry-After before or after forwarding a request, reset the
 * connection, refuse WebSocket upgrades and drop open WebSockets.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { routes } from '../../shared/routes/index.ts';
import { RouteTable } from '../../shared/routes/match.ts';
import { buildOpenApiDocument } from '../../shared/openapi/document.ts';
import { eventually, stack, uniqueName } from '../support/api.ts';
import { subscriberIds } from '../support/ws.ts';
import {
  ConflictError,
  InstancesClient,
  NotFoundError,
  PreconditionFailedError,
  ServiceUnavailableError,
  ValidationError,
  type CreateInstanceInput,
  type InstanceEvent,
  type WsControlMessage,
} from '../../client/index.ts';

type Fault = { kind: '503-before' | '503-after' | 'reset' };

/** A pass-through proxy for HTTP and WebSocket upgrades with switchable faults. */
class FaultProxy {
  private readonly server: Server;
  private readonly faults: Fault[] = [];
  private readonly tunnels = new Set<Duplex | Socket>();
  refuseUpgrades = false;
  readonly counts = { forwarded: 0, failed: 0, reset: 0, upgrades: 0, refusedUpgrades: 0 };
  url = '';

  constructor(private readonly target: URL) {
    this.server = createServer((req, res) => {
      const fault = this.faults.shift();
      if (fault?.kind === '503-before') return this.unavailable(res, () => req.resume());
      if (fault?.kind === 'reset') {
        this.counts.reset++;
        return req.socket.destroy();
      }
      const upstream = httpRequest(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          this.counts.forwarded++;
          if (fault?.kind === '503-after') {
            // The change happened; the caller never hears about it.
            up.resume();
            return this.unavailable(res);
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    this.server.on('upgrade', (req, socket, head) => this.tunnel(req, socket, head));
  }

  private unavailable(res: import('node:http').ServerResponse, drain?: () => void): void {
    this.counts.failed++;
    drain?.();
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ message: 'Service Unavailable' }));
  }

  /** Pipes an upgrade to the stack byte for byte, so the WebSocket runs end to end. */
  private tunnel(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.refuseUpgrades) {
      this.counts.refusedUpgrades++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.counts.upgrades++;
    const upstream = tcpConnect(Number(this.target.port), this.target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    for (const s of [socket, upstream]) {
      this.tunnels.add(s);
      s.on('close', () => this.tunnels.delete(s));
      s.on('error', () => undefined);
    }
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  }

  /** The next `n` requests fail this way, in order. */
  inject(kind: Fault['kind'], n = 1): void {
    for (let i = 0; i < n; i++) this.faults.push({ kind });
  }

  /** Cuts every open WebSocket without a close frame (a network drop). */
  dropWebSockets(): number {
    const n = this.tunnels.size / 2;
    for (const s of this.tunnels) s.destroy();
    return n;
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }

  async close(): Promise<void> {
    for (const s of this.tunnels) s.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const body = (overrides: Partial<CreateInstanceInput> = {}): CreateInstanceInput => ({
  name: uniqueName('client'),
  model_name: 'meta-llama/Llama-3.1-8B-Instruct',
  cluster_name: 'h100-us-east-1a',
  image_tag: 'vllm/vllm-openai:v0.6.3',
  ...overrides,
});

/**
 * A fetch that checks every JSON response against the OpenAPI document: the status must be
 * documented for the operation and the body must satisfy the documented schema.
 */
function contractCheckingFetch() {
  const doc = buildOpenApiDocument();
  const base = 'https://openapi.test/doc';
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajvFormats.default(ajv as never);
  ajv.addSchema({ $id: base, components: doc.components });
  const violations: string[] = [];
  /** `METHOD /route → status` of every response whose body was checked against its schema. */
  const checked: string[] = [];
  const checkingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const method = (init?.method ?? 'GET').toUpperCase();
    const match = new RouteTable(routes).match(method, new URL(String(input)).pathname);
    if (!match || !('route' in match)) return res;
    const what = `${method} ${match.route.path} → ${res.status}`;
    const response = doc.paths[match.route.path]?.[method.toLowerCase()]?.responses[res.status];
    if (!response) {
      violations.push(`${what}: status not documented`);
      return res;
    }
    const schema = (response.content as Record<string, { schema: unknown }> | undefined)?.[
      'application/json'
    ]?.schema;
    if (schema && res.headers.get('content-type')?.startsWith('application/json')) {
      const check = ajv.compile(
        JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${base}#/components/`)),
      );
      if (!check(await res.clone().json())) {
        violations.push(`${what}: ${ajv.errorsText(check.errors)}`);
      }
      checked.push(what);
    }
    return res;
  };
  return { fetch: checkingFetch, violations, checked };
}

let api: InstancesClient;
let proxy: FaultProxy;
let viaProxy: InstancesClient;
const contract = contractCheckingFetch();

beforeAll(async () => {
  api = new InstancesClient({ baseUrl: stack().url, wsUrl: stack().ws, fetch: contract.fetch });
  proxy = new FaultProxy(new URL(stack().url));
  await proxy.listen();
  viaProxy = new InstancesClient({ baseUrl: proxy.url, retry: { baseDelayMs: 50 } });
});

afterAll(async () => {
  await proxy?.close();
});

// Every response a test got through `api` is checked against the OpenAPI document, and the
// test that got it answers for it.
afterEach(() => {
  const found = contract.violations.splice(0);
  expect(found, 'responses that do not match the OpenAPI document').toEqual([]);
});

describe('InstancesClient CRUD', () => {
  it('creates, reads, updates and deletes with typed results and typed errors', async () => {
    // Act
    const created = await api.createInstance(body({ replicas: 2, envs: { HF_HUB_OFFLINE: '1' } }));
    const read = await api.getInstance(created.id);
    const unchanged = await api.getInstanceIfChanged(created.id, read);
    const patched = await api.patchInstance(created.id, { replicas: 3, quantization: 'fp8' });
    const put = await api.putInstance(created.id, { quantization: null, status: 'inactive' });
    const changed = await api.getInstanceIfChanged(created.id, read);
    const deleted = await api.deleteInstance(created.id, { ifMatch: put });
    // Assess
    expect(created).toMatchObject({ version: 1, replicas: 2, cp: 8, status: 'active' });
    expect(read).toEqual(created);
    expect(unchanged).toBeNull();
    expect(patched).toMatchObject({ version: 2, replicas: 3, quantization: 'fp8' });
    expect(put.version).toBe(3);
    expect(put.quantization).toBeUndefined();
    expect(changed?.version).toBe(3);
    expect(deleted).toEqual({ message: 'Instance deleted successfully', id: created.id });
    const gone = await api.getInstance(created.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone).toMatchObject({ status: 404, type: 'NotFound' });
    expect((gone as NotFoundError).requestId).toBeTruthy();
  });

  it('surfaces validation and conflict errors with the server’s details', async () => {
    const first = await api.createInstance(body());
    const invalid = await api
      .createInstance({ ...body(), replicas: 0, id: 5 } as unknown as CreateInstanceInput)
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).details).toMatchObject({
      replicas: expect.any(String),
      id: 'read-only field',
    });
    const dup = await api
      .createInstance(body({ name: first.name.toUpperCase() }))
      .catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ConflictError);
  });

  it('turns a stale If-Match into PreconditionFailedError and changes nothing', async () => {
    // Prepare: two writers read version 1.
    const inst = await api.createInstance(body());
    await api.updateIfMatch(inst.id, inst, { replicas: 2 });
    // Act: the second writer still holds version 1.
    const err = await api.updateIfMatch(inst.id, inst, { replicas: 9 }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect(err).toMatchObject({ status: 412, type: 'PreconditionFailed' });
    expect((await api.getInstance(inst.id)).replicas).toBe(2);
  });

  it('modify() re-reads and retries after a concurrent change instead of losing it', async () => {
    // Prepare
    const inst = await api.createInstance(body({ replicas: 1 }));
    const seen: number[] = [];
    // Act: another writer commits between modify's read and its write, once.
    const final = await api.modify(inst.id, async (current) => {
      seen.push(current.version);
      if (seen.length === 1) await api.patchInstance(inst.id, { description: 'other writer' });
      return { replicas: current.replicas + 1 };
    });
    // Assess: the first attempt got 412, the second built on the other writer's version.
    expect(seen).toEqual([1, 2]);
    expect(final).toMatchObject({ version: 3, replicas: 2, description: 'other writer' });
  });

  it('pages through every instance with the async iterator', async () => {
    // Prepare: 7 instances on a cluster of their own.
    const cluster = uniqueName('pager');
    const ids = [];
    for (let i = 0; i < 7; i++)
      ids.push((await api.createInstance(body({ cluster_name: cluster }))).id);
    // Act
    const seen: number[] = [];
    for await (const inst of api.listAllInstances({
      cluster_name: cluster,
      limit: 3,
      sort_order: 'asc',
    })) {
      seen.push(inst.id);
    }
    let pages = 0;
    for await (const page of api.pages((cursor) =>
      api.listInstances({ cluster_name: cluster, limit: 3, cursor }),
    )) {
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(3);
    }
    // Assess
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });
});

describe('InstancesClient retries', () => {
  it('survives injected 503 + Retry-After on a read, waiting as told', async () => {
    const inst = await api.createInstance(body());
    proxy.inject('503-before', 2);
    const failedBefore = proxy.counts.failed;
    const started = Date.now();
    const got = await viaProxy.getInstance(inst.id);
    expect(got.id).toBe(inst.id);
    expect(proxy.counts.failed - failedBefore).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('retries a create whose response was lost, and the Idempotency-Key keeps it to one instance', async () => {
    // Prepare: the first attempt reaches the stack, its 201 is swapped for a 503.
    const input = body();
    proxy.inject('503-after', 1);
    // Act
    const res = await viaProxy.request<{ id: number; name: string }>({
      method: 'POST',
      path: '/api/instances',
      body: input,
      idempotent: true,
    });
    // Assess: the replayed first response, and exactly one instance with that name.
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    const named = await api.listInstances({ name: input.name });
    expect(named.items.map((i) => i.id)).toEqual([res.body.id]);
  });

  it('does not retry a POST without an Idempotency-Key', async () => {
    proxy.inject('503-before', 1);
    const err = await viaProxy
      .createInstance(body(), { idempotencyKey: false })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as ServiceUnavailableError).retryAfterMs).toBe(1000);
  });

  it('retries a read after a connection reset', async () => {
    proxy.inject('reset', 1);
    const resetBefore = proxy.counts.reset;
    await expect(viaProxy.health()).resolves.toMatchObject({ status: 'ok' });
    expect(proxy.counts.reset - resetBefore).toBe(1);
  });
});

describe('InstancesClient.subscribe', () => {
  const connectionsOf = subscriberIds;

  it('survives a server-side close and a network drop with no missed and no duplicated change', async () => {
    // Prepare: an instance whose create is already in the history.
    const inst = await api.createInstance(body());
    await eventually(async () => (await api.listHistory(inst.id)).total === 1, 30_000);
    const events: InstanceEvent[] = [];
    const pongs: WsControlMessage[] = [];
    const sub = new InstancesClient({ baseUrl: proxy.url }).subscribe({
      topics: [`instance:${inst.id}`],
      // Well under the server's 120 messages per minute per connection.
      pingIntervalMs: 5000,
      reconnect: { baseDelayMs: 100, maxDelayMs: 400 },
      onEvent: (e) => events.push(e),
      onControl: (m) => m.type === 'pong' && pongs.push(m),
    });
    let version = 1;
    const change = async (n: number) => {
      for (let i = 0; i < n; i++) {
        version = (await api.patchInstance(inst.id, { workers: version + 1 })).version;
      }
    };
    const delivered = (v: number) =>
      eventually(async () => events.some((e) => e.version === v), 15_000);
    try {
      await sub.ready;
      await change(2);
      await delivered(version);

      // Act 1: the server closes the connection (Management API DELETE /@connections/{id}).
      const [connectionId] = await connectionsOf(`instance:${inst.id}`);
      const closed = await fetch(
        `${stack().url}/@connections/${encodeURIComponent(connectionId!)}`,
        {
          method: 'DELETE',
        },
      );
      expect(closed.status).toBe(204);
      await change(3);
      await delivered(version);

      // Act 2: the network drops the socket and stays down while changes happen.
      proxy.refuseUpgrades = true;
      expect(proxy.dropWebSockets()).toBeGreaterThanOrEqual(1);
      await change(4);
      await api.deleteInstance(inst.id);
      await eventually(async () => (await api.listHistory(inst.id)).total === 11, 30_000);
      await eventually(async () => proxy.counts.refusedUpgrades > 0, 30_000);
      proxy.refuseUpgrades = false;
      const deleted = await eventually(
        async () => events.find((e) => e.type === 'instance.deleted'),
        120_000,
      );
      // One more live change after the resume.
      const history = await api.listHistory(inst.id, { sort_order: 'asc', limit: 1 });
      const restored = await api.restoreInstance(inst.id, history.items[0]!.history_id, {
        ifNoneMatch: '*',
      });
      await eventually(async () => events.some((e) => e.type === 'instance.restored'), 15_000);

      // Assess: every record after the create, each once, in order. The create was committed
      // before the subscription went live: a resume's overlap (the 24 s before the record it
      // resumes from) may carry it once more when other writes made it not the newest record
      // at the subscription (docs/api.md, "Resume"), so it is not counted either way.
      const all = [];
      for await (const r of api.listAllHistory(inst.id, { sort_order: 'asc', limit: 4 }))
        all.push(r);
      const created = all[0]!.history_id;
      const expected = all.slice(1).map((r) => r.history_id);
      const got = events.map((e) => e.history_id);
      expect(got.filter((id) => id !== created)).toEqual(expected);
      expect(new Set(got).size).toBe(got.length);
      expect(events.filter((e) => e.version > 1).map((e) => e.version)).toEqual(
        Array.from({ length: 11 }, (_, i) => i + 2),
      );
      expect(deleted.version).toBe(11);
      expect(restored.version).toBe(12);
      // Its resume point: the last record delivered, or the newest id at the subscription if
      // other writers (another test file on the shared stack) made that one higher.
      expect(sub.lastHistoryId).toBeGreaterThanOrEqual(expected[expected.length - 1]!);
      expect(sub.stats.connections).toBeGreaterThanOrEqual(3);
      // The 4 updates and the delete made while the network was down came as a replay.
      expect(sub.stats.replayed).toBeGreaterThanOrEqual(5);
      // The keep-alive ping runs on the resumed socket too.
      await eventually(async () => pongs.length > 0, 5_000);
    } finally {
      await sub.close();
    }
  }, 240_000);
});

describe('OpenAPI contract', () => {
  it('documents the status and matches the body of every kind of response the client gets', async () => {
    // A checker and a client of this test's own: it does not depend on what other tests ran.
    const own = contractCheckingFetch();
    const client = new InstancesClient({
      baseUrl: stack().url,
      wsUrl: stack().ws,
      fetch: own.fetch,
    });
    const errorOf = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );

    // Act: each instance, history and operation route the client offers, answering 2xx…
    const created = await client.createInstance(body({ replicas: 2 }));
    await client.getInstance(created.id);
    await client.getInstanceByName(created.name);
    expect(await client.getInstanceIfChanged(created.id, created)).toBeNull();
    await client.patchInstance(created.id, { replicas: 3 });
    await client.putInstance(created.id, { description: 'contract' });
    const copy = await client.copyInstance(created.id, {});
    await client.listInstances({ cluster_name: created.cluster_name, limit: 1 });
    await client.instanceStats();
    await client.batchUpdate([{ id: copy.id, data: { replicas: 4 } }]);
    const history = await eventually(async () => {
      const page = await client.listHistory(created.id, { sort_order: 'asc' });
      return page.items.length === 3 && page.items;
    }, 60_000);
    const [v1, v2] = history.map((r) => r.history_id);
    await client.getHistoryRecord(v1!);
    await client.compareHistory(v1!, v2!);
    await client.batchCompareHistory([v1!, v2!]);
    await client.historyStats(created.id, '24h');
    await client.searchHistory({ instance_ids: [created.id] });
    await client.exportHistory(created.id, 'json');
    await client.restoreInstance(created.id, v1!);
    const op = await client.createOperation({
      type: 'bulk-update',
      ids: [copy.id],
      data: { priority: 'low' },
    });
    expect((await client.waitForOperation(op.operation_id, { intervalMs: 200 })).status).toBe(
      'succeeded',
    );
    await client.listOperations({ limit: 1 });
    await client.batchDelete([copy.id]);
    // …and 4xx.
    const errors = [
      await errorOf(client.getInstance(999_999_993)),
      await errorOf(client.createInstance({ ...body(), replicas: 0 })),
      await errorOf(client.createInstance(body({ name: created.name.toUpperCase() }))),
      await errorOf(client.updateIfMatch(created.id, 1, { replicas: 5 })),
    ];
    await client.deleteInstance(created.id);

    // Assess
    expect(errors.map((e) => (e as { status?: number }).status)).toEqual([404, 422, 409, 412]);
    expect(own.violations).toEqual([]);
    expect(new Set(own.checked)).toEqual(
      new Set([
        'POST /api/instances → 201',
        'GET /api/instances/{id} → 200',
        'GET /api/instances/by-name/{name} → 200',
        'PATCH /api/instances/{id} → 200',
        'PUT /api/instances/{id} → 200',
        'POST /api/instances/{id}/copy → 201',
        'GET /api/instances → 200',
        'GET /api/instances/stats → 200',
        'POST /api/instances/batch-update → 200',
        'GET /api/instances/{id}/history → 200',
        'GET /api/history/{history_id} → 200',
        'GET /api/history/compare/{id1}/{id2} → 200',
        'POST /api/history/batch-compare → 200',
        'GET /api/instances/{id}/history/stats → 200',
        'GET /api/history/search → 200',
        'GET /api/instances/{id}/history/export → 200',
        'POST /api/instances/{id}/restore/{history_id} → 200',
        'POST /api/operations → 202',
        'GET /api/operations/{operation_id} → 200',
        'GET /api/operations → 200',
        'POST /api/instances/batch-delete → 200',
        'GET /api/instances/{id} → 404',
        'POST /api/instances → 422',
        'POST /api/instances → 409',
        'PATCH /api/instances/{id} → 412',
        'DELETE /api/instances/{id} → 200',
      ]),
    );
  }, 120_000);
});
