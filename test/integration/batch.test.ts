/** Batch update / delete: per-item results, and `?atomic=true` all-or-nothing. */
import { describe, expect, it } from 'vitest';
import { api, createInstance } from '../support/api.ts';

describe('POST /api/instances/batch-update', () => {
  it('updates each item independently and reports per-item status', async () => {
    const a = await createInstance();
    const b = await createInstance();
    const res = await api('POST', '/api/instances/batch-update', {
      updates: [
        { id: a.id, data: { replicas: 5 } },
        { id: b.id, data: { replicas: 500 } },
        { id: 999999990, data: { replicas: 2 } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.succeeded).toBe(1);
    expect(res.body.failed).toBe(2);
    expect(res.body.results.map((r: any) => r.status)).toEqual(['updated', 'invalid', 'not_found']);
    expect(res.body.results[1].error.details).toEqual({
      replicas: 'must be an integer from 1 to 100',
    });
    expect((await api('GET', `/api/instances/${a.id}`)).body.replicas).toBe(5);
  });

  it('reports a version mismatch as conflict', async () => {
    const a = await createInstance();
    const res = await api('POST', '/api/instances/batch-update', {
      updates: [{ id: a.id, data: { tp: 2 }, version: 4 }],
    });
    expect(res.body.results[0].status).toBe('conflict');
  });

  it('atomic: one bad item blocks all, 409 names it, nothing changes', async () => {
    const a = await createInstance();
    const b = await createInstance();
    const res = await api('POST', '/api/instances/batch-update?atomic=true', {
      updates: [
        { id: a.id, data: { replicas: 3 } },
        { id: b.id, data: { replicas: 4 }, version: 9 },
      ],
    });
    expect(res.status).toBe(409);
    expect(res.body.error.details.id).toBe(b.id);
    expect((await api('GET', `/api/instances/${a.id}`)).body.version).toBe(1);
  });

  it('atomic: all items commit together', async () => {
    const a = await createInstance();
    const b = await createInstance();
    const res = await api('POST', '/api/instances/batch-update?atomic=true', {
      updates: [
        { id: a.id, data: { replicas: 3 } },
        { id: b.id, data: { name: `${b.name}-x` } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 2, failed: 0 });
    expect((await api('GET', `/api/instances/${b.id}`)).body.name).toBe(`${b.name}-x`);
  });

  it('atomic: two items renamed to the same name is a 409, not a DynamoDB error', async () => {
    const a = await createInstance();
    const b = await createInstance();
    const res = await api('POST', '/api/instances/batch-update?atomic=true', {
      updates: [
        { id: a.id, data: { name: `${a.name}-same` } },
        { id: b.id, data: { name: `${a.name}-SAME` } },
      ],
    });
    expect(res.status).toBe(409);
  });

  it('rejects more than 100 items, duplicate ids and a bad shape with 422', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ id: i + 1, data: {} }));
    expect((await api('POST', '/api/instances/batch-update', { updates: many })).status).toBe(422);
    expect(
      (
        await api('POST', '/api/instances/batch-update', {
          updates: [
            { id: 1, data: {} },
            { id: 1, data: {} },
          ],
        })
      ).status,
    ).toBe(422);
    expect((await api('POST', '/api/instances/batch-update', { updates: 'x' })).status).toBe(422);
  });
});

describe('POST /api/instances/batch-delete', () => {
  it('deletes what exists and reports not_found for the rest', async () => {
    const a = await createInstance();
    const res = await api('POST', '/api/instances/batch-delete', { ids: [a.id, 999999991] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 1, failed: 1 });
    expect(res.body.results).toEqual([
      { id: a.id, status: 'deleted' },
      expect.objectContaining({ id: 999999991, status: 'not_found' }),
    ]);
  });

  it('atomic: a missing id blocks the batch and nothing is deleted', async () => {
    const a = await createInstance();
    const res = await api('POST', '/api/instances/batch-delete?atomic=true', {
      ids: [a.id, 999999992],
    });
    expect(res.status).toBe(409);
    expect(res.body.error.details).toMatchObject({ id: 999999992, reason: 'not_found' });
    expect((await api('GET', `/api/instances/${a.id}`)).status).toBe(200);
    const ok = await api('POST', '/api/instances/batch-delete?atomic=true', { ids: [a.id] });
    expect(ok.status).toBe(200);
    expect((await api('GET', `/api/instances/${a.id}`)).status).toBe(404);
  });

  it('atomic: more deletes than one transaction holds is a 422 with the reason', async () => {
    const created = await Promise.all(Array.from({ length: 51 }, () => createInstance()));
    const res = await api('POST', '/api/instances/batch-delete?atomic=true', {
      ids: created.map((c) => c.id),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('at most 100');
  });
});
