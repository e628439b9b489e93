/**
 * A bulk operation never targets every instance by accident. `{"filter":{"__proto__":…}}`
 * used to arrive as an empty filter and delete everything; now it is a 422, an empty filter
 * needs `"all": true`, and `expected_total` pins the count the caller previewed (409 otherwise).
 *
 * These tests run on a stack of their own: an `all: true` operation touches every instance, and
 * a regression here would wipe the data of every other test file sharing the global stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnStack, type SpawnedStack } from '../support/spawn-stack.ts';
import { eventually } from '../support/api.ts';

const TERMINAL = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'];
let stack: SpawnedStack;
const ids: number[] = [];

/** A call to this file's stack; `body` is sent as is when it is a string (raw JSON). */
async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.info.url}${path}`, {
    method,
    ...(body !== undefined
      ? {
          headers: { 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }
      : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const statuses = async () =>
  Promise.all(ids.map(async (id) => (await call('GET', `/api/instances/${id}`)).status));
const operationCount = async () => (await call('GET', '/api/operations')).body.items.length;

async function finished(operationId: string) {
  return eventually(
    async () => {
      const op = (await call('GET', `/api/operations/${operationId}`)).body;
      return TERMINAL.includes(op.status) ? op : undefined;
    },
    60_000,
    200,
  );
}

beforeAll(async () => {
  stack = await spawnStack();
  for (const [i, status] of ['active', 'active', 'inactive', 'error'].entries()) {
    const res = await call('POST', '/api/instances', {
      name: `filters-${i}`,
      model_name: 'm',
      cluster_name: 'c',
      image_tag: 't',
      status,
    });
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('bulk operations with a filter that selects nothing in particular', () => {
  it('answers 422 to a __proto__ filter and to an empty filter, and deletes nothing', async () => {
    // Act
    const proto = await call(
      'POST',
      '/api/operations',
      '{"type":"bulk-delete","filter":{"__proto__":{"status":"active"}}}',
    );
    const nested = await call(
      'POST',
      '/api/operations',
      '{"type":"bulk-update","filter":{"status":"active"},"data":{"envs":{"__proto__":"x"}}}',
    );
    const empty = await call('POST', '/api/operations', { type: 'bulk-delete', filter: {} });
    const notConfirmed = await call('POST', '/api/operations', {
      type: 'bulk-update',
      filter: {},
      all: false,
      data: { replicas: 2 },
    });

    // Assess: each refusal in the documented shape, naming the field…
    expect(proto.status).toBe(422);
    expect(proto.body.error).toMatchObject({
      type: 'ValidationError',
      details: { 'filter.__proto__': '"__proto__" is not allowed as a key' },
      request_id: expect.any(String),
    });
    expect(nested.status).toBe(422);
    expect(nested.body.error.details).toHaveProperty(['data.envs.__proto__']);
    for (const res of [empty, notConfirmed]) {
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({
        type: 'ValidationError',
        message: expect.stringContaining('"all": true'),
        details: { all: 'must be true when the filter has no criteria' },
      });
    }
    // …no operation was stored (so none can run later), and every instance is still there.
    expect(await operationCount()).toBe(0);
    expect(await statuses()).toEqual([200, 200, 200, 200]);
  });

  it('refuses with 409 and the real count when expected_total differs, changing nothing', async () => {
    // Act
    const filtered = await call('POST', '/api/operations', {
      type: 'bulk-delete',
      filter: { status: 'active' },
      expected_total: 3,
    });
    const all = await call('POST', '/api/operations', {
      type: 'bulk-update',
      filter: {},
      all: true,
      expected_total: 5,
      data: { priority: 'low' },
    });

    // Assess
    expect(filtered.status).toBe(409);
    expect(filtered.body.error).toMatchObject({
      type: 'Conflict',
      details: { expected_total: 3, total: 2 },
    });
    expect(all.status).toBe(409);
    expect(all.body.error.details).toEqual({ expected_total: 5, total: 4 });
    expect(await operationCount()).toBe(0);
    expect(await statuses()).toEqual([200, 200, 200, 200]);
  });

  it('runs on every instance with "all": true and the previewed count', async () => {
    // Act: update everything, then delete everything.
    const update = await call('POST', '/api/operations', {
      type: 'bulk-update',
      filter: {},
      all: true,
      expected_total: 4,
      data: { priority: 'low' },
    });
    expect(update.status).toBe(202);
    expect(update.body).toMatchObject({ total: 4, request: { filter: {} } });
    const updated = await finished(update.body.operation_id);
    const priorities = await Promise.all(
      ids.map(async (id) => (await call('GET', `/api/instances/${id}`)).body.priority),
    );
    const del = await call('POST', '/api/operations', {
      type: 'bulk-delete',
      filter: {},
      all: true,
    });
    expect(del.status).toBe(202);
    const deleted = await finished(del.body.operation_id);

    // Assess
    expect(updated).toMatchObject({ status: 'succeeded', total: 4, succeeded: 4 });
    expect(priorities).toEqual(['low', 'low', 'low', 'low']);
    expect(deleted).toMatchObject({ status: 'succeeded', total: 4, succeeded: 4 });
    expect(await statuses()).toEqual([404, 404, 404, 404]);
  }, 120_000);
});
