/**
 * GET /api/instances/stats (counters kept by the stream consumer) and
 * GET /api/instances/{id}/history/stats. Other files write concurrently, so instance stats are
 * checked on cluster and model names no one else uses, against a recount through the list API.
 */
import { describe, expect, it } from 'vitest';
import { api, createInstance, eventually, uniqueName } from '../support/api.ts';

type Rec = Record<string, any>;

async function recount(filter: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const res: Rec = await api(
      'GET',
      `/api/instances?${filter}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
    );
    n += res.body.count;
    cursor = res.body.next_cursor;
  } while (cursor);
  return n;
}

describe('GET /api/instances/stats', () => {
  it('has the shape of the SPEC and is served without a route clash with /instances/{id}', async () => {
    const res = await api('GET', '/api/instances/stats');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      total: expect.any(Number),
      by_status: expect.any(Object),
      by_priority: expect.any(Object),
      by_cluster: expect.any(Object),
      by_model: expect.any(Object),
    });
  });

  it('equals a recount after creates, updates and deletes', async () => {
    // Prepare
    const c1 = uniqueName('cluster');
    const c2 = uniqueName('cluster');
    const m1 = uniqueName('model');
    const m2 = uniqueName('model');
    const a = await createInstance({ cluster_name: c1, model_name: m1 });
    const b = await createInstance({ cluster_name: c1, model_name: m1, status: 'pending' });
    const c = await createInstance({ cluster_name: c1, model_name: m2, priority: 'critical' });
    const d = await createInstance({ cluster_name: c2, model_name: m2 });

    // Act
    await api('PATCH', `/api/instances/${a.id}`, { cluster_name: c2 });
    await api('PATCH', `/api/instances/${b.id}`, { model_name: m2, status: 'active' });
    await api('DELETE', `/api/instances/${c.id}`);
    await api('DELETE', `/api/instances/${d.id}`);
    const [dCreate] = await eventually(async () => {
      const r = await api('GET', `/api/instances/${d.id}/history?sort_order=asc`);
      return r.body?.total === 2 ? (r.body.items as Rec[]) : undefined;
    });
    const restored = await api('POST', `/api/instances/${d.id}/restore/${dCreate!.history_id}`);
    expect(restored.status).toBe(200);

    // Assess: eventually the counters equal a recount of the same buckets
    const expected = {
      c1: await recount(`cluster_name=${c1}`),
      c2: await recount(`cluster_name=${c2}`),
      m1: await recount(`model_name=${m1}`),
      m2: await recount(`model_name=${m2}`),
    };
    expect(expected).toEqual({ c1: 1, c2: 2, m1: 1, m2: 2 });
    const stats = await eventually(async () => {
      const s = (await api('GET', '/api/instances/stats')).body;
      const got = {
        c1: s.by_cluster[c1] ?? 0,
        c2: s.by_cluster[c2] ?? 0,
        m1: s.by_model[m1] ?? 0,
        m2: s.by_model[m2] ?? 0,
      };
      return JSON.stringify(got) === JSON.stringify(expected) ? s : undefined;
    });
    // Zero buckets are left out.
    expect(Object.values(stats.by_cluster).every((n) => (n as number) > 0)).toBe(true);
  });
});

describe('GET /api/instances/{id}/history/stats', () => {
  it('totals by operation type, most changed fields, changes per day, first and last', async () => {
    // Prepare: create, 3 updates (replicas twice), delete
    const inst = await createInstance();
    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 2 });
    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 3, status: 'inactive' });
    await api('PATCH', `/api/instances/${inst.id}`, { description: 'x' });
    await api('DELETE', `/api/instances/${inst.id}`);
    const records = await eventually(async () => {
      const r = await api('GET', `/api/instances/${inst.id}/history?sort_order=asc`);
      return r.body?.total === 5 ? (r.body.items as Rec[]) : undefined;
    });

    // Act
    const res = await api('GET', `/api/instances/${inst.id}/history/stats?time_range=24h`);

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      instance_id: inst.id,
      time_range: '24h',
      total_changes: 5,
      by_operation_type: { create: 1, update: 3, delete: 1, restore: 0 },
      first_change: {
        version: 1,
        history_id: records[0]!.history_id,
        operation_type: 'create',
        actor: 'local-dev',
      },
      last_change: { version: 5, history_id: records[4]!.history_id, operation_type: 'delete' },
    });
    // replicas: create, 2 updates, delete = 4; status: create, 1 update, delete = 3
    expect(res.body.most_changed_fields.slice(0, 2)).toEqual([
      { field: 'replicas', count: 4 },
      { field: 'status', count: 3 },
    ]);
    const perDay = res.body.changes_per_day as { date: string; count: number }[];
    expect(perDay.reduce((n, d) => n + d.count, 0)).toBe(5);
    expect(perDay.map((d) => d.date)).toEqual([
      ...new Set(records.map((r) => r.operation_timestamp.slice(0, 10))),
    ]);

    const all = await api('GET', `/api/instances/${inst.id}/history/stats`);
    expect(all.body).toMatchObject({ time_range: 'all', from: null, total_changes: 5 });
    expect((await api('GET', `/api/instances/${inst.id}/history/stats?time_range=1y`)).status).toBe(
      400,
    );
    expect((await api('GET', '/api/instances/987654319/history/stats')).status).toBe(404);
  });
});
