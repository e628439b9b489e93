/**
 * GET /api/instances: filters, sorts and cursor paging. Each test works in its own cluster or
 * model name so parallel test files cannot disturb its counts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createInstance, uniqueName } from '../support/api.ts';

type Item = {
  id: number;
  name: string;
  status: string;
  priority: string;
  created_at: string;
  updated_at: string;
};

async function walk(query: string, limit: number): Promise<{ ids: number[]; pages: number }> {
  const ids: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const q: string = `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await api('GET', `/api/instances?${q}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    expect(res.body.count).toBe(res.body.items.length);
    ids.push(...res.body.items.map((i: Item) => i.id));
    cursor = res.body.next_cursor;
    pages++;
    expect(pages).toBeLessThan(100);
  } while (cursor);
  return { ids, pages };
}

describe('GET /api/instances', () => {
  const cluster = uniqueName('cluster');
  const model = uniqueName('model');
  const created: Item[] = [];

  beforeAll(async () => {
    const statuses = [
      'active',
      'pending',
      'active',
      'error',
      'active',
      'inactive',
      'active',
      'terminated',
      'active',
      'pending',
      'active',
    ];
    const priorities = ['low', 'high', 'critical', 'medium'];
    for (const [i, status] of statuses.entries()) {
      created.push(
        (await createInstance({
          name: `${cluster}-${String(i).padStart(2, '0')}${i % 3 === 0 ? '-Blue' : ''}`,
          cluster_name: cluster,
          model_name: i % 2 === 0 ? model : `${model}-other`,
          status,
          priority: priorities[i % 4],
          description: i === 4 ? 'Serves the NEEDLE traffic' : undefined,
        })) as unknown as Item,
      );
    }
  });

  it('returns the SPEC envelope with defaults', async () => {
    const res = await api('GET', `/api/instances?cluster_name=${cluster}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 11, limit: 100, next_cursor: null });
    // default sort: created_at desc
    expect(res.body.items.map((i: Item) => i.id)).toEqual(created.map((c) => c.id).reverse());
  });

  it('pages with limit=3 and a filter: every match exactly once', async () => {
    const { ids, pages } = await walk(`cluster_name=${cluster}&status=active`, 3);
    const expected = created.filter((c) => c.status === 'active').map((c) => c.id);
    expect([...ids].sort()).toEqual([...expected].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBeGreaterThanOrEqual(2);
  });

  it('pages with a filter applied after the key query (name substring) without losing matches', async () => {
    const { ids } = await walk(`cluster=${cluster}&name=blue&sort_by=name&sort_order=asc`, 2);
    const expected = created.filter((c) => c.name.toLowerCase().includes('blue'));
    expect(ids).toEqual(
      [...expected].sort((a, b) => a.name.localeCompare(b.name)).map((c) => c.id),
    );
  });

  it('filters by several statuses (repeated and comma-separated) and by model', async () => {
    const repeated = await api(
      'GET',
      `/api/instances?cluster_name=${cluster}&status=pending&status=error`,
    );
    const comma = await api('GET', `/api/instances?cluster_name=${cluster}&status=pending,error`);
    const expected = created
      .filter((c) => c.status === 'pending' || c.status === 'error')
      .map((c) => c.id);
    expect(repeated.body.items.map((i: Item) => i.id).sort()).toEqual([...expected].sort());
    expect(comma.body.items.map((i: Item) => i.id).sort()).toEqual([...expected].sort());
    const byModel = await api('GET', `/api/instances?model_name=${model}`);
    expect(byModel.body.count).toBe(6);
  });

  it('searches name, model, cluster and description case-insensitively', async () => {
    const res = await api('GET', `/api/instances?cluster_name=${cluster}&search=needle`);
    expect(res.body.items.map((i: Item) => i.id)).toEqual([created[4]!.id]);
  });

  it('sorts by status in lifecycle order and by priority in severity order', async () => {
    const byStatus = await api(
      'GET',
      `/api/instances?cluster_name=${cluster}&sort_by=status&sort_order=asc`,
    );
    const order = ['pending', 'active', 'inactive', 'error', 'terminated'];
    const seen = byStatus.body.items.map((i: Item) => order.indexOf(i.status));
    expect(seen).toEqual([...seen].sort((a: number, b: number) => a - b));
    expect(byStatus.body.count).toBe(11);
    const byPriority = await walk(`cluster_name=${cluster}&sort_by=priority&sort_order=desc`, 4);
    expect(byPriority.ids).toHaveLength(11);
  });

  it('honours created_after / created_before and skip', async () => {
    const mid = created[5]!.created_at;
    const after = await api('GET', `/api/instances?cluster_name=${cluster}&created_after=${mid}`);
    expect(after.body.items.every((i: Item) => i.created_at >= mid)).toBe(true);
    const skipped = await api('GET', `/api/instances?cluster_name=${cluster}&skip=9`);
    expect(skipped.body.count).toBe(2);
  });

  it('sorts by updated_at after an update', async () => {
    await api('PATCH', `/api/instances/${created[0]!.id}`, { replicas: 7 });
    const res = await api(
      'GET',
      `/api/instances?cluster_name=${cluster}&sort_by=updated_at&limit=1`,
    );
    expect(res.body.items[0].id).toBe(created[0]!.id);
  });

  it('rejects a garbage cursor, a cursor of another query and bad parameters with 400', async () => {
    expect((await api('GET', '/api/instances?cursor=garbage')).status).toBe(400);
    const page = await api('GET', `/api/instances?cluster_name=${cluster}&limit=2`);
    const foreign = await api(
      'GET',
      `/api/instances?cluster_name=other&cursor=${page.body.next_cursor}`,
    );
    expect(foreign.status).toBe(400);
    for (const q of [
      'limit=0',
      'limit=1001',
      'limit=abc',
      'status=bogus',
      'sort_by=colour',
      'created_after=yesterday',
      'unknown=1',
    ]) {
      const res = await api('GET', `/api/instances?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.type).toBe('BadRequest');
    }
  });
});
