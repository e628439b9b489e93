/**
 * What a new user and existing clients hit first, through the local stack (the local gateway
 * routes like API Gateway, then the same handler modules run):
 * wrong methods on literal paths, HEAD, integer messages, If-Match, batch `unchanged`,
 * axios array parameters, `page`, history `sort_by`, the top-level error `message` and the
 * instance list's `total`.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createInstance, eventually, stack, type ApiResponse } from '../support/api.ts';

/** The SPEC error shape, with the top-level `message` repeating `error.message`. */
function expectError(res: ApiResponse, status: number, type: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error.type).toBe(type);
  expect(res.body.error.request_id).toEqual(expect.any(String));
  expect(res.body.message).toBe(res.body.error.message);
}

const tag = () => randomUUID().slice(0, 8);

/** Every item of a list walked with next_cursor. */
async function walk(query: string): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  do {
    const res: ApiResponse = await api(
      'GET',
      `/api/instances?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status, res.text).toBe(200);
    ids.push(...res.body.items.map((i: { id: number }) => i.id));
    cursor = res.body.next_cursor;
  } while (cursor);
  return ids;
}

/** Waits until the instance's history holds `count` records. */
const historyOf = (id: number, count: number) =>
  eventually(async () => {
    const res = await api('GET', `/api/instances/${id}/history?limit=100&sort_order=asc`);
    return res.body.total === count && res.body;
  });

describe('a literal path names its resource whatever the method', () => {
  it.each([
    ['GET', '/api/instances/batch-delete', 'POST'],
    ['GET', '/api/history/batch-compare', 'POST'],
    ['PUT', '/api/instances/batch-update', 'POST'],
    ['DELETE', '/api/instances/stats', 'GET, HEAD'],
    ['PATCH', '/api/history/search', 'GET, HEAD'],
    ['HEAD', '/api/instances/batch-delete', 'POST'],
  ])('%s %s → 405, Allow: %s', async (method, path, allow) => {
    // Act
    const res = await api(method, path, method === 'PUT' ? { updates: [] } : undefined);
    // Assess
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    if (method !== 'HEAD') {
      expectError(res, 405, 'MethodNotAllowed');
      expect(res.body.error.details.allowed).toEqual(allow.split(', '));
    }
  });

  it('still serves the parameter route for a real id', async () => {
    const created = await createInstance();
    expect((await api('GET', `/api/instances/${created.id}`)).status).toBe(200);
  });
});

describe('HEAD wherever GET', () => {
  // Per-request and connection-level headers differ between any two responses.
  const VARYING = new Set([
    'date',
    'x-request-id',
    'apigw-requestid',
    'connection',
    'keep-alive',
    'transfer-encoding',
    'content-length',
  ]);
  const headersOf = (res: ApiResponse) =>
    Object.fromEntries([...res.headers.entries()].filter(([k]) => !VARYING.has(k)));
  let id = 0;
  beforeAll(async () => {
    id = (await createInstance()).id;
  });

  it.each([
    () => `/api/instances/${id}`,
    () => '/api/instances?limit=2',
    () => '/api/instances/999999997',
    () => '/api/openapi.json',
    () => `/api/instances/${id}/history`,
  ])('HEAD %# has the status and headers of GET and no body', async (pathOf) => {
    // Act
    const get = await api('GET', pathOf());
    const head = await api('HEAD', pathOf());
    // Assess
    expect(head.status).toBe(get.status);
    expect(headersOf(head)).toEqual(headersOf(get));
    expect(head.headers.get('x-request-id')).toEqual(expect.any(String));
    expect(head.text).toBe('');
  });

  it('answers 304 to If-None-Match like GET', async () => {
    const get = await api('GET', `/api/instances/${id}`);
    const head = await api('HEAD', `/api/instances/${id}`, undefined, {
      'if-none-match': get.headers.get('etag')!,
    });
    expect(head.status).toBe(304);
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
  });
});

describe('integer parameters name their rule', () => {
  it('limit=-1 → "must be an integer from 1 to 1000"', async () => {
    const res = await api('GET', '/api/instances?limit=-1');
    expectError(res, 400, 'BadRequest');
    expect(res.body.error.details).toEqual({ limit: 'must be an integer from 1 to 1000' });
  });

  it('offset=-5 on a history list → "must be an integer from 0 to 1000000"', async () => {
    const created = await createInstance();
    const res = await api('GET', `/api/instances/${created.id}/history?offset=-5`);
    expectError(res, 400, 'BadRequest');
    expect(res.body.error.details).toEqual({ offset: 'must be an integer from 0 to 1000000' });
  });

  it('{"replicas":1e308} → "must be an integer from 1 to 100"', async () => {
    const created = await createInstance();
    const res = await api('PATCH', `/api/instances/${created.id}`, '{"replicas":1e308}');
    expectError(res, 422, 'ValidationError');
    expect(res.body.error.details).toEqual({ replicas: 'must be an integer from 1 to 100' });
  });
});

describe('If-Match: strong comparison, malformed is 400', () => {
  it('refuses a weak tag naming the current version (412) and changes nothing', async () => {
    // Prepare
    const created = await createInstance();
    // Act
    const res = await api(
      'PATCH',
      `/api/instances/${created.id}`,
      { replicas: 3 },
      { 'if-match': 'W/"1"' },
    );
    // Assess
    expectError(res, 412, 'PreconditionFailed');
    expect(res.body.error.details).toMatchObject({ id: created.id, current_version: 1 });
    expect((await api('GET', `/api/instances/${created.id}`)).body.version).toBe(1);
  });

  it('answers 400 to If-Match: banana on PATCH, DELETE and restore', async () => {
    const created = await createInstance();
    const header = { 'if-match': 'banana' };
    const patch = await api('PATCH', `/api/instances/${created.id}`, { tp: 2 }, header);
    const del = await api('DELETE', `/api/instances/${created.id}`, undefined, header);
    const restore = await api('POST', `/api/instances/${created.id}/restore/1`, undefined, header);
    for (const res of [patch, del, restore]) {
      expectError(res, 400, 'BadRequest');
      expect(res.body.error.details).toHaveProperty('if-match');
    }
    expect((await api('GET', `/api/instances/${created.id}`)).status).toBe(200);
  });

  it('accepts a list naming the current version, and * ', async () => {
    const created = await createInstance();
    const listed = await api(
      'PATCH',
      `/api/instances/${created.id}`,
      { replicas: 2 },
      { 'if-match': '"7", "1"' },
    );
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.version).toBe(2);
    const star = await api(
      'PATCH',
      `/api/instances/${created.id}`,
      { replicas: 3 },
      {
        'if-match': '*',
      },
    );
    expect(star.body.version).toBe(3);
    const stale = await api(
      'PATCH',
      `/api/instances/${created.id}`,
      { replicas: 4 },
      {
        'if-match': '"1", "2"',
      },
    );
    expectError(stale, 412, 'PreconditionFailed');
    expect(stale.body.error.details).toMatchObject({ expected_version: 1, current_version: 3 });
  });

  it('keeps the weak comparison for If-None-Match', async () => {
    const created = await createInstance();
    const res = await api('GET', `/api/instances/${created.id}`, undefined, {
      'if-none-match': 'W/"1"',
    });
    expect(res.status).toBe(304);
  });
});

describe('batch-update reports unchanged', () => {
  it('data {} and data equal to the current values are unchanged: no version, no history', async () => {
    // Prepare
    const a = await createInstance({ replicas: 2 });
    const b = await createInstance();
    // Act
    const res = await api('POST', '/api/instances/batch-update', {
      updates: [
        { id: a.id, data: {} },
        { id: b.id, data: { replicas: 1 } }, // the default it already has
      ],
    });
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        { id: a.id, status: 'unchanged' },
        { id: b.id, status: 'unchanged' },
      ],
      succeeded: 2,
      failed: 0,
    });
    expect((await api('GET', `/api/instances/${a.id}`)).body.version).toBe(1);
    // A real change next: its record is the second, so the batch wrote none.
    await api('PATCH', `/api/instances/${a.id}`, { replicas: 3 });
    const history = await historyOf(a.id, 2);
    expect(history.items.map((r: { version: number }) => r.version)).toEqual([1, 2]);
  });

  it('atomic: the unchanged item is reported as such, the other is updated', async () => {
    const a = await createInstance();
    const b = await createInstance();
    const res = await api('POST', '/api/instances/batch-update?atomic=true', {
      updates: [
        { id: a.id, data: {} },
        { id: b.id, data: { replicas: 3 } },
      ],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
      'unchanged',
      'updated',
    ]);
    expect(res.body.succeeded).toBe(2);
  });
});

describe('axios array parameters', () => {
  let cluster = '';
  const byStatus: Record<string, number> = {};
  beforeAll(async () => {
    cluster = `axios-${tag()}`;
    for (const [status, priority] of [
      ['active', 'high'],
      ['pending', 'low'],
      ['inactive', 'high'],
    ] as const) {
      byStatus[status] = (await createInstance({ cluster_name: cluster, status, priority })).id;
    }
  });
  const idsOf = (res: ApiResponse) => res.body.items.map((i: { id: number }) => i.id).sort();

  it('status[]=active&status[]=pending (also percent-encoded) selects both', async () => {
    const want = [byStatus.active, byStatus.pending].sort();
    for (const key of ['status[]', 'status%5B%5D']) {
      const res = await api(
        'GET',
        `/api/instances?cluster_name=${cluster}&${key}=active&${key}=pending`,
      );
      expect(res.status, res.text).toBe(200);
      expect(idsOf(res)).toEqual(want);
    }
  });

  it('merges status[] with a plain status and accepts the repeated and comma forms', async () => {
    const all = Object.values(byStatus).sort();
    for (const q of [
      'status=inactive&status[]=active&status[]=pending',
      'status=inactive&status=active&status=pending',
      'status=inactive,active,pending',
    ]) {
      expect(idsOf(await api('GET', `/api/instances?cluster_name=${cluster}&${q}`))).toEqual(all);
    }
  });

  it('priority[]=high', async () => {
    const res = await api('GET', `/api/instances?cluster_name=${cluster}&priority[]=high`);
    expect(idsOf(res)).toEqual([byStatus.active, byStatus.inactive].sort());
  });

  it('instance_ids[] on the history search', async () => {
    const res = await eventually(async () => {
      const r = await api(
        'GET',
        `/api/history/search?instance_ids[]=${byStatus.active}&instance_ids[]=${byStatus.pending}`,
      );
      return r.body.items?.length === 2 && r;
    });
    expect(res.body.items.map((r: { instance_id: number }) => r.instance_id).sort()).toEqual(
      [byStatus.active, byStatus.pending].sort(),
    );
  });

  it('limit[]=5 is a 400 naming it', async () => {
    const res = await api('GET', '/api/instances?limit[]=5');
    expectError(res, 400, 'BadRequest');
    expect(res.body.error.details).toEqual({ 'limit[]': 'limit takes one value: send limit=…' });
  });

  it('a single-value parameter sent twice is a 400 naming it; a list parameter takes repeats', async () => {
    const twice = await api('GET', '/api/instances?name=a&name=b');
    expectError(twice, 400, 'BadRequest');
    expect(twice.body.error.details).toEqual({ name: 'name takes one value: send name=…' });
    const encoded = await api('GET', '/api/instances?cursor=x&%63ursor=y');
    expect(encoded.body.error.details).toEqual({ cursor: 'cursor takes one value: send cursor=…' });
    expect((await api('GET', '/api/instances?status=active&status=pending')).status).toBe(200);
    expect((await api('GET', '/api/instances?name=a,b')).status).toBe(200);
  });
});

describe('page on the instance list', () => {
  let cluster = '';
  let prefix = '';
  beforeAll(async () => {
    cluster = `page-${tag()}`;
    prefix = `pg${tag()}`;
    for (let i = 0; i < 7; i++) {
      await createInstance({ cluster_name: cluster, name: `${prefix}-${i}-${tag()}` });
    }
  });

  /** Pages 1.. of `query` until an empty one, as ids. */
  async function pages(query: string, limit: number): Promise<number[][]> {
    const out: number[][] = [];
    for (let page = 1; ; page++) {
      const res = await api('GET', `/api/instances?${query}&limit=${limit}&page=${page}`);
      expect(res.status, res.text).toBe(200);
      if (res.body.items.length === 0) return out;
      out.push(res.body.items.map((i: { id: number }) => i.id));
    }
  }

  it.each([
    // Index keys decide the filter: skipped entries are counted, not read.
    ['keys only', () => `cluster_name=${cluster}`],
    ['keys only, ascending', () => `cluster_name=${cluster}&sort_order=asc`],
    // A text filter needs the items: skipped entries are read and filtered.
    ['filtered items', () => `cluster_name=${cluster}&search=${prefix}`],
    ['another index', () => `cluster_name=${cluster}&sort_by=name&sort_order=asc`],
  ])('pages %s like the cursor walk slices it', async (_what, queryOf) => {
    // Prepare
    const query = queryOf();
    const walked = await walk(`${query}&limit=3`);
    // Act
    const paged = await pages(query, 3);
    // Assess
    expect(walked).toHaveLength(7);
    expect(paged).toEqual([walked.slice(0, 3), walked.slice(3, 6), walked.slice(6)]);
  });

  it('refuses page with cursor or skip, and a page past the skip limit', async () => {
    const withSkip = await api('GET', `/api/instances?page=2&skip=1`);
    expectError(withSkip, 400, 'BadRequest');
    expect(withSkip.body.error.details).toEqual({ page: 'not with cursor or skip' });
    const first = await api('GET', `/api/instances?cluster_name=${cluster}&limit=1`);
    const withCursor = await api(
      'GET',
      `/api/instances?cluster_name=${cluster}&limit=1&page=2&cursor=${first.body.next_cursor}`,
    );
    expectError(withCursor, 400, 'BadRequest');
    const tooFar = await api('GET', '/api/instances?limit=1000&page=102');
    expectError(tooFar, 400, 'BadRequest');
    expect(tooFar.body.error.details.page).toContain('100000');
  });
});

describe('the history list: page and sort_by', () => {
  let id = 0;
  let versions: number[] = [];
  beforeAll(async () => {
    id = (await createInstance()).id;
    for (let r = 2; r <= 6; r++) await api('PATCH', `/api/instances/${id}`, { replicas: r });
    versions = (await historyOf(id, 6)).items.map((r: { version: number }) => r.version);
  });

  it('page=2&limit=2 is offset=2&limit=2', async () => {
    const paged = await api('GET', `/api/instances/${id}/history?limit=2&page=2`);
    const offset = await api('GET', `/api/instances/${id}/history?limit=2&offset=2`);
    expect(paged.status, paged.text).toBe(200);
    expect(paged.body).toEqual(offset.body);
    expect(paged.body.offset).toBe(2);
    expect(paged.body.items).toHaveLength(2);
  });

  it('refuses page with offset or cursor', async () => {
    const first = await api('GET', `/api/instances/${id}/history?limit=2`);
    for (const q of ['page=2&offset=0', `page=2&cursor=${first.body.next_cursor}`]) {
      const res = await api('GET', `/api/instances/${id}/history?limit=2&${q}`);
      expectError(res, 400, 'BadRequest');
      expect(res.body.error.details).toEqual({ page: 'not with offset or cursor' });
    }
  });

  it.each(['version', 'history_id', 'operation_timestamp'])(
    'sort_by=%s orders by version, newest first by default, oldest first asc',
    async (sortBy) => {
      const desc = await api('GET', `/api/instances/${id}/history?sort_by=${sortBy}`);
      const asc = await api('GET', `/api/instances/${id}/history?sort_by=${sortBy}&sort_order=asc`);
      expect(desc.status, desc.text).toBe(200);
      const field = (res: ApiResponse, f: string) =>
        res.body.items.map((r: Record<string, unknown>) => r[f]);
      expect(field(asc, 'version')).toEqual(versions);
      expect(field(desc, 'version')).toEqual([...versions].reverse());
      // The three fields grow together along the versions.
      for (const f of ['history_id', 'operation_timestamp']) {
        expect(field(asc, f)).toEqual([...field(asc, f)].sort());
      }
    },
  );

  it('refuses another sort_by, naming the choices', async () => {
    const res = await api('GET', `/api/instances/${id}/history?sort_by=actor`);
    expectError(res, 400, 'BadRequest');
    expect(res.body.error.details.sort_by).toContain('operation_timestamp');
  });
});

describe('total on the instance list', () => {
  let cluster = '';
  let model = '';
  beforeAll(async () => {
    cluster = `total-${tag()}`;
    model = `model-${tag()}`;
    await createInstance({ cluster_name: cluster, model_name: model, status: 'active' });
    await createInstance({ cluster_name: cluster, model_name: model, status: 'pending' });
    await createInstance({ cluster_name: cluster, status: 'active' });
  });

  it('counts one equality filter from the stats (once the stream has caught up)', async () => {
    for (const [query, want] of [
      [`cluster_name=${cluster}`, 3],
      [`cluster=${cluster}&limit=1`, 3],
      [`model_name=${model}&page=2&limit=1`, 2],
    ] as const) {
      const res = await eventually(async () => {
        const r = await api('GET', `/api/instances?${query}`);
        return r.body.total === want && r;
      });
      expect(res.body.count).toBeLessThanOrEqual(want);
    }
  });

  /**
   * A list read while the (global) stats held still: other files write concurrently, so the
   * list is read between two equal reads of the stats, retried until the counters hold still
   * that long; its total is then compared with those stats exactly.
   */
  /**
   * The stats and a list read in a quiet moment (the stats equal before and after the list) in
   * which `total` is `expected` of the stats. Other files create and delete instances on the
   * shared stack, and a create and a delete between the two stats reads leave them equal, so
   * one such reading can still straddle a change: the wait is for a reading that agrees, and a
   * `total` that never agrees fails it.
   */
  const totalAgrees = (query: string, expected: (stats: any) => number) =>
    eventually(
      async () => {
        const before = (await api('GET', '/api/instances/stats')).body;
        const list = (await api('GET', `/api/instances?${query}`)).body;
        const after = (await api('GET', '/api/instances/stats')).body;
        const steady = JSON.stringify(before) === JSON.stringify(after);
        return steady && list.total === expected(before) && { stats: before, list };
      },
      30_000,
      50,
    );

  it('adds up several values of one field', async () => {
    const { list } = await totalAgrees(
      'status=active,pending&limit=1',
      (stats) => (stats.by_status.active ?? 0) + (stats.by_status.pending ?? 0),
    );
    expect(list.items).toHaveLength(1);
  });

  it('gives the unfiltered total of the stats', async () => {
    const { stats, list } = await totalAgrees('limit=1', (s) => s.total);
    expect(list.total).toBeGreaterThan(0);
    expect(list.total).toBe(stats.total);
  });

  it('is absent, not guessed, when it would need a walk', async () => {
    for (const query of [
      `cluster_name=${cluster}&status=active`,
      `name=${cluster}`,
      `search=${cluster}`,
      `created_after=2020-01-01`,
    ]) {
      const res = await api('GET', `/api/instances?${query}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body, query).not.toHaveProperty('total');
    }
  });
});

describe('every error body carries a top-level message', () => {
  it.each([
    ['GET', '/api/instances?limit=0', 400, 'BadRequest'],
    ['GET', '/api/instances/999999996', 404, 'NotFound'],
    ['GET', '/api/nothing-here', 404, 'NotFound'],
    ['DELETE', '/api/instances', 405, 'MethodNotAllowed'],
  ])('%s %s', async (method, path, status, type) => {
    expectError(await api(method, path), status, type);
  });

  it('on 415 and 422 too', async () => {
    const created = await createInstance();
    expectError(
      await api('PATCH', `/api/instances/${created.id}`, '{}', { 'content-type': 'text/plain' }),
      415,
      'UnsupportedMediaType',
    );
    expectError(await api('POST', '/api/instances', { name: '' }), 422, 'ValidationError');
  });

  it('is what the typed client reports as the error message', async () => {
    const { InstancesClient, BadRequestError } = await import('../../client/index.ts');
    const client = new InstancesClient({ baseUrl: stack().url });
    const err = await client.listInstances({ limit: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as Error).message).toBe('Invalid query parameters');
  });
});
