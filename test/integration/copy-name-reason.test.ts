/**
 * What the original system offered: copy, lookup by name, and a reason on every change that
 * history keeps, search finds, WebSocket subscribers see and exports carry.
 */
import { describe, expect, it } from 'vitest';
import { InstancesClient } from '../../client/index.ts';
import { api, createInstance, eventually, stack, uniqueName } from '../support/api.ts';
import { connect } from '../support/ws.ts';
import { parseCsv } from './history-support.ts';

type Rec = Record<string, any>;

const client = () => new InstancesClient({ baseUrl: stack().url });

/**
 * Records `GET /api/history/search` finds for `q`, through the typed client as a consumer
 * would: it follows `next_cursor` (a page examines a bounded number of records and may come
 * back short) and retries a 503 + Retry-After, which the shared stack can answer under load.
 */
async function searchAll(q: string, enough: number): Promise<Rec[]> {
  const found: Rec[] = [];
  for await (const r of client().searchAllHistory({ q, limit: 100 })) {
    found.push(r);
    if (found.length >= enough) break;
  }
  return found;
}

/**
 * History follows the stream: under the whole suite's load on the shared stack it can lag by
 * tens of seconds, so the waits (and the tests' timeouts) are sized for that.
 */
const HISTORY_WAIT_MS = 60_000;
const historyOf = async (id: number, n: number, query = '') =>
  eventually(
    async () => {
      const res = await api<{ items: Rec[] }>(
        'GET',
        `/api/instances/${id}/history?limit=100${query}`,
      );
      return res.body.items.length >= n && res.body.items;
    },
    HISTORY_WAIT_MS,
    500,
  );

describe('POST /api/instances/{id}/copy', { timeout: 120_000 }, () => {
  it('copies the configuration under the first free <name>-copy, with overrides and copied_from', async () => {
    const source = await createInstance({ replicas: 3, envs: { A: '1' }, description: 'src' });
    const first = await api('POST', `/api/instances/${source.id}/copy`, {});
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/api/instances/${first.body.id}`);
    expect(first.headers.get('etag')).toBe('"1"');
    expect(first.body).toMatchObject({
      name: `${source.name}-copy`,
      replicas: 3,
      envs: { A: '1' },
      description: 'src',
      version: 1,
    });
    expect(first.body.id).not.toBe(source.id);

    const second = await api('POST', `/api/instances/${source.id}/copy`, {
      overrides: { replicas: 7, description: null, envs: { B: '2' } },
    });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({
      name: `${source.name}-copy-2`,
      replicas: 7,
      envs: { B: '2' },
    });
    expect(second.body.description).toBeUndefined();

    const [record] = await historyOf(second.body.id, 1);
    expect(record).toMatchObject({ operation_type: 'create', copied_from: source.id });
  });

  it('gives two concurrent copies two different names', async () => {
    const source = await createInstance();
    const [a, b] = await Promise.all([
      api('POST', `/api/instances/${source.id}/copy`),
      api('POST', `/api/instances/${source.id}/copy`),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(new Set([a.body.name, b.body.name])).toEqual(
      new Set([`${source.name}-copy`, `${source.name}-copy-2`]),
    );
  });

  it('takes a name, refuses a taken one (any case), a bad override, and a missing source', async () => {
    const source = await createInstance();
    const other = await createInstance();
    const name = uniqueName('named-copy');
    expect((await api('POST', `/api/instances/${source.id}/copy`, { name })).status).toBe(201);
    const taken = await api('POST', `/api/instances/${source.id}/copy`, {
      name: other.name.toUpperCase(),
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.details.name).toBe(other.name.toUpperCase());
    const bad = await api('POST', `/api/instances/${source.id}/copy`, {
      overrides: { replicas: 0, name: 'x' },
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.details).sort()).toEqual([
      'overrides.name',
      'overrides.replicas',
    ]);
    expect((await api('POST', '/api/instances/999999999/copy', {})).status).toBe(404);
  });

  it('takes a blank name as none: the first free <name>-copy', async () => {
    const source = await createInstance();
    const copy = await api('POST', `/api/instances/${source.id}/copy`, { name: '   ' });
    expect(copy.status, copy.text).toBe(201);
    expect(copy.body.name).toBe(`${source.name}-copy`);
  });

  it('keeps a long name within the 255-character limit', async () => {
    const base = `${uniqueName('long')}-`;
    const source = await createInstance({ name: base + 'x'.repeat(255 - base.length) });
    const copy = await api('POST', `/api/instances/${source.id}/copy`);
    expect(copy.status).toBe(201);
    expect([...copy.body.name]).toHaveLength(255);
    expect(copy.body.name.endsWith('-copy')).toBe(true);
  });
});

describe('GET /api/instances/by-name/{name}', () => {
  it('every name it takes can be looked up: "." and ".." are refused, other dotted names work', async () => {
    const inst = await createInstance();
    for (const name of ['.', '..', ' .. ']) {
      const created = await api('POST', '/api/instances', {
        name,
        model_name: 'm',
        cluster_name: 'c',
        image_tag: 't',
      });
      expect(created.status, name).toBe(422);
      expect(created.body.error.details.name, name).toMatch(/cannot be "\." or "\.\."/);
      const renamed = await api('PATCH', `/api/instances/${inst.id}`, { name });
      expect(renamed.status, name).toBe(422);
    }
    expect((await api('GET', `/api/instances/${inst.id}`)).body.version).toBe(1);

    const dotted = await createInstance({ name: `..${uniqueName('dots')}` });
    const client = new InstancesClient({ baseUrl: stack().url });
    expect((await client.getInstanceByName(dotted.name)).id).toBe(dotted.id);
  });

  it('finds an instance by its name in any case, with its ETag; 404 otherwise', async () => {
    const inst = await createInstance({ name: `${uniqueName('Lookup')} Ωmega/Δ` });
    const res = await api(
      'GET',
      `/api/instances/by-name/${encodeURIComponent(inst.name.toUpperCase())}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(inst.id);
    expect(res.headers.get('etag')).toBe('"1"');
    const cached = await api(
      'GET',
      `/api/instances/by-name/${encodeURIComponent(inst.name)}`,
      undefined,
      {
        'if-none-match': '"1"',
      },
    );
    expect(cached.status).toBe(304);
    expect((await api('GET', `/api/instances/by-name/${uniqueName('nobody')}`)).status).toBe(404);
    await api('DELETE', `/api/instances/${inst.id}`);
    expect(
      (await api('GET', `/api/instances/by-name/${encodeURIComponent(inst.name)}`)).status,
    ).toBe(404);
  });
});

describe('X-Change-Reason', { timeout: 120_000 }, () => {
  it('is kept on history, searchable, pushed to subscribers and exported', async () => {
    const ws = await connect();
    const inst = await createInstance();
    ws.send({ action: 'subscribe', topics: [`instance:${inst.id}`] });
    await ws.waitFor((m) => m.type === 'subscribed');
    const reason = `Roll back: p99 latency regression in vLLM 0.6.4 — ${uniqueName('why')}`;
    const res = await api(
      'PATCH',
      `/api/instances/${inst.id}`,
      { replicas: 5 },
      {
        'x-change-reason': encodeURIComponent(reason),
      },
    );
    expect(res.status).toBe(200);

    const pushed = await ws.waitFor((m) => m.instance_id === inst.id && m.version === 2);
    expect(pushed.reason).toBe(reason);
    await ws.close();

    const records = await historyOf(inst.id, 2);
    expect(records.find((r) => r.version === 2)?.reason).toBe(reason);
    expect(records.find((r) => r.version === 1)?.reason).toBeUndefined();

    const found = await api(
      'GET',
      `/api/instances/${inst.id}/history?search=${encodeURIComponent('p99 LATENCY')}`,
    );
    expect(found.body.items.map((r: Rec) => r.version)).toEqual([2]);

    const csv = await api('GET', `/api/instances/${inst.id}/history/export?format=csv`);
    const [header, ...rows] = parseCsv(csv.text);
    const col = header!.indexOf('reason');
    expect(col).toBeGreaterThan(-1);
    expect(rows.map((r) => r[col])).toContain(reason);
  });

  it('reaches the history of deletes, restores, copies, batch items and operations', async () => {
    const reason = uniqueName('cleanup');
    const h = { 'x-change-reason': reason };
    const a = await createInstance();
    const b = await createInstance();
    const c = await createInstance();
    expect((await api('POST', `/api/instances/${a.id}/copy`, {}, h)).status).toBe(201);
    expect(
      (
        await api(
          'POST',
          '/api/instances/batch-update',
          { updates: [{ id: b.id, data: { replicas: 2 } }] },
          h,
        )
      ).status,
    ).toBe(200);
    expect((await api('DELETE', `/api/instances/${a.id}`, undefined, h)).status).toBe(200);
    const [created] = await historyOf(a.id, 1);
    expect(
      (await api('POST', `/api/instances/${a.id}/restore/${created!.history_id}`, undefined, h))
        .status,
    ).toBe(200);
    const op = await api(
      'POST',
      '/api/operations',
      { type: 'bulk-update', ids: [c.id], data: { priority: 'low' } },
      h,
    );
    expect(op.status).toBe(202);
    expect(op.body.reason).toBe(reason);

    const search = await eventually(
      async () => {
        const items = await searchAll(reason, 5);
        return items.length >= 5 && items;
      },
      HISTORY_WAIT_MS,
      500,
    );
    expect(search.map((r) => r.operation_type).sort()).toEqual([
      'create',
      'delete',
      'restore',
      'update',
      'update',
    ]);
    expect(search.every((r) => r.reason === reason)).toBe(true);
  });

  it('refuses a reason that is too long, unprintable or badly encoded, and stores nothing', async () => {
    const inst = await createInstance();
    // `cafÃ©` is how the bytes of a raw UTF-8 `café` read in a header; `café` is the Latin-1 one.
    for (const bad of ['x'.repeat(501), 'a%00b', '%E2%82', 'bell%07', 'cafÃ©', 'café']) {
      const res = await api(
        'PATCH',
        `/api/instances/${inst.id}`,
        { replicas: 9 },
        {
          'x-change-reason': bad,
        },
      );
      expect(res.status, bad).toBe(400);
      expect(res.body.error.details).toHaveProperty('X-Change-Reason');
    }
    expect((await api('GET', `/api/instances/${inst.id}`)).body.version).toBe(1);
  });
});

describe('history search by the instance', { timeout: 120_000 }, () => {
  it("finds an instance's records by its name, model or cluster although the change did not touch them", async () => {
    const name = uniqueName('findme');
    const inst = await createInstance({ name, cluster_name: `${name}-cluster` });
    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 4 });
    await historyOf(inst.id, 2);
    const byName = await eventually(
      async () => {
        const items = await searchAll(name.toUpperCase(), 2);
        return items.length >= 2 && items;
      },
      HISTORY_WAIT_MS,
      500,
    );
    expect(byName.map((r) => r.version).sort()).toEqual([1, 2]);
    const own = await api('GET', `/api/instances/${inst.id}/history?search=${name}-cluster`);
    expect(own.body.items).toHaveLength(2);
  });
});
