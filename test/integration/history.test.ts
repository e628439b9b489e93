/**
 * History read side and restore against the real local stack (API → DynamoDB Local → stream →
 * history writer). History is written asynchronously, so reads poll with `eventually()`.
 */
import { describe, expect, it } from 'vitest';
import { api, createInstance, eventually, uniqueName } from '../support/api.ts';

type Rec = Record<string, any>;

const BOOKKEEPING = ['id', 'version', 'created_at', 'updated_at', 'created_by', 'updated_by'];

/** All records of an instance (oldest first) once there are exactly `n`. */
async function historyOf(id: number, n: number): Promise<Rec[]> {
  return eventually(async () => {
    const res = await api('GET', `/api/instances/${id}/history?sort_order=asc&limit=1000`);
    return res.status === 200 && res.body.total === n ? (res.body.items as Rec[]) : undefined;
  });
}

/** The change a create (or a re-create) records: every field from null to its value. */
function allFieldsFrom(before: Rec | null, after: Rec | null): Rec {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const out: Rec = {};
  for (const k of [...keys].sort()) {
    if (BOOKKEEPING.includes(k)) continue;
    out[k] = { old: before?.[k] ?? null, new: after?.[k] ?? null };
  }
  return out;
}

describe('create → 2 updates → delete → restore', () => {
  it('gives exactly 5 records with the exact diffs, snapshots, actors and restored_from', async () => {
    // Prepare / Act
    const created = await createInstance({ envs: { A: '1' } });
    const { id } = created;
    const u1 = await api('PATCH', `/api/instances/${id}`, { replicas: 2 });
    expect(u1.status).toBe(200);
    const u2 = await api('PATCH', `/api/instances/${id}`, {
      envs: { A: '1', B: 'zebra' },
      description: 'second update',
    });
    expect(u2.status).toBe(200);
    const del = await api('DELETE', `/api/instances/${id}`);
    expect(del.status).toBe(200);
    const before = await historyOf(id, 4);
    const fromRecord = before[1]!; // the first update: replicas 2, envs {A}
    const restored = await api('POST', `/api/instances/${id}/restore/${fromRecord.history_id}`);
    expect(restored.status).toBe(200);
    const records = await historyOf(id, 5);

    // Assess
    expect(records.map((r) => r.version)).toEqual([1, 2, 3, 4, 5]);
    expect(records.map((r) => r.operation_type)).toEqual([
      'create',
      'update',
      'update',
      'delete',
      'restore',
    ]);
    expect(new Set(records.map((r) => r.actor))).toEqual(new Set(['local-dev']));
    const ids = records.map((r) => r.history_id as number);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(records.every((r) => r.instance_id === id && r.original_id === id)).toBe(true);

    const [c, r2, r3, d, rs] = records as [Rec, Rec, Rec, Rec, Rec];
    expect(c.snapshot).toEqual(created);
    expect(c.changes).toEqual(allFieldsFrom(null, created));
    expect(c.changed_fields).toEqual(Object.keys(c.changes).sort());
    expect(Object.keys(c.changes)).toEqual(c.changed_fields); // served in a stable order

    expect(r2.changed_fields).toEqual(['replicas']);
    expect(r2.changes).toEqual({ replicas: { old: 1, new: 2 } });
    expect(r2.snapshot).toEqual(u1.body);

    expect(r3.changed_fields).toEqual(['description', 'envs']);
    expect(r3.changes).toEqual({
      description: { old: null, new: 'second update' },
      envs: { old: { A: '1' }, new: { A: '1', B: 'zebra' } },
    });
    expect(r3.snapshot).toEqual(u2.body);

    expect(d.snapshot).toEqual(u2.body); // for delete: the instance before it
    expect(d.changes).toEqual(allFieldsFrom(u2.body, null));
    expect(d.restored_from).toBeUndefined();

    expect(rs.restored_from).toBe(fromRecord.history_id);
    expect(rs.snapshot).toEqual(restored.body);
    expect(rs.changes).toEqual(allFieldsFrom(null, restored.body));

    // The re-created instance: the snapshot's fields, the old id and creation stamp, version 5.
    expect(restored.headers.get('etag')).toBe('"5"');
    expect(restored.body).toMatchObject({
      id,
      name: created.name,
      replicas: 2,
      envs: { A: '1' },
      version: 5,
      created_at: created.created_at,
      created_by: 'local-dev',
      updated_by: 'local-dev',
    });
    expect(restored.body).not.toHaveProperty('description');
    const got = await api('GET', `/api/instances/${id}`);
    expect(got.body).toEqual(restored.body);

    // Filters over the same 5 records.
    const list = (q: string) => api('GET', `/api/instances/${id}/history?${q}`);
    const versions = (res: { body: { items: Rec[] } }) => res.body.items.map((r) => r.version);
    expect(versions(await list(''))).toEqual([5, 4, 3, 2, 1]); // default newest first
    expect((await list('operation_type=update')).body).toMatchObject({ total: 2 });
    expect(versions(await list('operation_type=delete,restore'))).toEqual([5, 4]);
    expect(versions(await list('fields=description'))).toEqual([4, 3]);
    expect(versions(await list('search=ZEBRA'))).toEqual([4, 3]);
    expect(versions(await list('search=local-dev&sort_order=asc'))).toEqual([1, 2, 3, 4, 5]);
    const window = `start_date=${encodeURIComponent(r2.operation_timestamp)}&end_date=${encodeURIComponent(d.operation_timestamp)}`;
    expect(versions(await list(window))).toEqual([4, 3, 2]);
  });
});

describe('GET /api/instances/{id}/history', () => {
  it('pages with limit/offset and with cursors, reporting total and has_more', async () => {
    // Prepare: 1 create + 4 updates
    const { id } = await createInstance();
    for (let r = 2; r <= 5; r++) await api('PATCH', `/api/instances/${id}`, { replicas: r });
    await historyOf(id, 5);

    // Act / Assess: offset
    const p = await api('GET', `/api/instances/${id}/history?limit=2&offset=2`);
    expect(p.body).toMatchObject({ total: 5, limit: 2, offset: 2, has_more: true });
    expect(p.body.items.map((r: Rec) => r.version)).toEqual([3, 2]);

    // Cursor walk: every record once, in order
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await api('GET', `/api/instances/${id}/history?${q}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(5);
      expect(res.body.offset).toBe(seen.length);
      seen.push(...res.body.items.map((r: Rec) => r.version));
      expect(res.body.has_more).toBe(res.body.next_cursor !== null);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([5, 4, 3, 2, 1]);
  });

  it('rejects bad queries and foreign cursors with 400 and unknown instances with 404', async () => {
    const { id } = await createInstance();
    for (const q of [
      'limit=0',
      'limit=1001',
      'operation_type=rename',
      'fields=nope',
      'sort_order=up',
      'start_date=yesterday',
      'start_date=2026-02-01&end_date=2026-01-01',
      'cursor=garbage',
      'cursor=eyJ2IjoxfQ', // {"v":1}
      'unknown=1',
    ]) {
      const res = await api('GET', `/api/instances/${id}/history?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.type).toBe('BadRequest');
    }
    // A cursor issued for another query is refused.
    await historyOf(id, 1);
    await api('PATCH', `/api/instances/${id}`, { replicas: 2 });
    await historyOf(id, 2);
    const first = await api('GET', `/api/instances/${id}/history?limit=1`);
    const other = await api(
      'GET',
      `/api/instances/${id}/history?limit=1&operation_type=update&cursor=${first.body.next_cursor}`,
    );
    expect(other.status).toBe(400);

    const missing = await api('GET', '/api/instances/987654321/history');
    expect(missing.status).toBe(404);
  });
});

describe('GET /api/history/{history_id}', () => {
  it('returns one record, 404 for an unknown id and 400 for a malformed one', async () => {
    const { id } = await createInstance();
    const [rec] = await historyOf(id, 1);
    const res = await api('GET', `/api/history/${rec!.history_id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(rec);
    expect(res.body).not.toHaveProperty('h_pk');
    expect(res.body).not.toHaveProperty('ts_key');
    expect((await api('GET', '/api/history/999999999')).status).toBe(404);
    expect((await api('GET', '/api/history/abc')).status).toBe(400);
  });
});

describe('compare and batch-compare', () => {
  it('compares two snapshots field by field and envs key by key', async () => {
    // Prepare
    const { id } = await createInstance({ envs: { KEEP: 'k', DROP: 'd', CHANGE: '1' } });
    await api('PATCH', `/api/instances/${id}`, {
      replicas: 4,
      description: 'now described',
      envs: { KEEP: 'k', CHANGE: '2', NEW: 'n' },
    });
    const [r1, r2] = (await historyOf(id, 2)) as [Rec, Rec];

    // Act
    const res = await api('GET', `/api/history/compare/${r1.history_id}/${r2.history_id}`);

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.record1.history_id).toBe(r1.history_id);
    expect(res.body.record2.history_id).toBe(r2.history_id);
    expect(res.body.differences).toEqual([
      { field: 'description', value1: null, value2: 'now described', type: 'added' },
      { field: 'envs.CHANGE', value1: '1', value2: '2', type: 'modified' },
      { field: 'envs.DROP', value1: 'd', value2: null, type: 'removed' },
      { field: 'envs.NEW', value1: null, value2: 'n', type: 'added' },
      { field: 'replicas', value1: 1, value2: 4, type: 'modified' },
    ]);
    const missing = await api('GET', `/api/history/compare/${r1.history_id}/999999998`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.details.missing).toEqual([999999998]);
  });

  it('batch-compares records: consecutive differences and who holds which value', async () => {
    // Prepare
    const { id } = await createInstance();
    await api('PATCH', `/api/instances/${id}`, { replicas: 2 });
    await api('PATCH', `/api/instances/${id}`, { replicas: 1, status: 'inactive' });
    const [a, b, c] = (await historyOf(id, 3)) as [Rec, Rec, Rec];

    // Act: in any order
    const res = await api('POST', '/api/history/batch-compare', {
      record_ids: [c.history_id, a.history_id, b.history_id],
    });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.record_ids).toEqual([a.history_id, b.history_id, c.history_id]);
    expect(res.body.comparisons).toEqual([
      {
        from: a.history_id,
        to: b.history_id,
        differences: [{ field: 'replicas', value1: 1, value2: 2, type: 'modified' }],
      },
      {
        from: b.history_id,
        to: c.history_id,
        differences: [
          { field: 'replicas', value1: 2, value2: 1, type: 'modified' },
          { field: 'status', value1: 'active', value2: 'inactive', type: 'modified' },
        ],
      },
    ]);
    expect(res.body.fields).toEqual({
      replicas: [
        { value: 1, record_ids: [a.history_id, c.history_id] },
        { value: 2, record_ids: [b.history_id] },
      ],
      status: [
        { value: 'active', record_ids: [a.history_id, b.history_id] },
        { value: 'inactive', record_ids: [c.history_id] },
      ],
    });
    expect(res.body.unchanged_fields).toContain('name');

    // Validation: 2–20 distinct ids
    for (const body of [
      { record_ids: [a.history_id] },
      { record_ids: Array.from({ length: 21 }, (_, i) => i + 1) },
      { record_ids: [a.history_id, a.history_id] },
      { record_ids: ['x', 1] },
      { ids: [1, 2] },
    ]) {
      expect((await api('POST', '/api/history/batch-compare', body)).status).toBe(422);
    }
  });
});

describe('POST /api/instances/{id}/restore/{history_id}', () => {
  it('restores a live instance as a new version with a restore record', async () => {
    // Prepare
    const created = await createInstance({ description: 'v1 text' });
    const { id } = created;
    await api('PATCH', `/api/instances/${id}`, {
      replicas: 3,
      description: null,
      quantization: 'fp8',
    });
    const [v1] = await historyOf(id, 2);

    // Act
    const res = await api('POST', `/api/instances/${id}/restore/${v1!.history_id}`);

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"3"');
    const { version: _v, updated_at: _u, ...fields } = created;
    expect(res.body).toMatchObject({ ...fields, version: 3 });
    expect(res.body).not.toHaveProperty('quantization');
    const records = await historyOf(id, 3);
    expect(records[2]).toMatchObject({
      operation_type: 'restore',
      restored_from: v1!.history_id,
      version: 3,
      actor: 'local-dev',
      changed_fields: ['description', 'quantization', 'replicas'],
      changes: {
        description: { old: null, new: 'v1 text' },
        quantization: { old: 'fp8', new: null },
        replicas: { old: 3, new: 1 },
      },
    });
  });

  it('records a restore that changes nothing as its own version', async () => {
    const { id } = await createInstance();
    const [v1] = await historyOf(id, 1);
    const res = await api('POST', `/api/instances/${id}/restore/${v1!.history_id}`);
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(2);
    const records = await historyOf(id, 2);
    expect(records[1]).toMatchObject({
      operation_type: 'restore',
      changed_fields: [],
      changes: {},
      restored_from: v1!.history_id,
    });
  });

  it('honours If-Match on live instances and If-None-Match: * on deleted ones (412)', async () => {
    // Live
    const { id } = await createInstance();
    await api('PATCH', `/api/instances/${id}`, { replicas: 2 });
    const [v1] = await historyOf(id, 2);
    const stale = await api('POST', `/api/instances/${id}/restore/${v1!.history_id}`, undefined, {
      'if-match': '"1"',
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.type).toBe('PreconditionFailed');
    const fresh = await api('POST', `/api/instances/${id}/restore/${v1!.history_id}`, undefined, {
      'if-match': '"2"',
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body.version).toBe(3);

    // Deleted: no current version to match, not even the delete's (4 here); If-None-Match: *
    // restores only while it is deleted (restore-preview.test.ts has the rest).
    await api('DELETE', `/api/instances/${id}`);
    await historyOf(id, 4);
    for (const tag of ['"3"', '"4"']) {
      const res = await api('POST', `/api/instances/${id}/restore/${v1!.history_id}`, undefined, {
        'if-match': tag,
      });
      expect(res.status, tag).toBe(412);
    }
    const right = await api('POST', `/api/instances/${id}/restore/${v1!.history_id}`, undefined, {
      'if-none-match': '*',
    });
    expect(right.status).toBe(200);
    expect(right.body.version).toBe(5);
  });

  it('answers 409 when the name is taken, for deleted and live instances alike', async () => {
    // Deleted instance whose name someone else took
    const a = await createInstance();
    const [aCreate] = await historyOf(a.id, 1);
    await api('DELETE', `/api/instances/${a.id}`);
    const taker = await createInstance({ name: a.name.toUpperCase() });
    const res = await api('POST', `/api/instances/${a.id}/restore/${aCreate!.history_id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.type).toBe('Conflict');
    expect((await api('GET', `/api/instances/${a.id}`)).status).toBe(404);

    // Once the name is free again, the restore works
    await api('DELETE', `/api/instances/${taker.id}`);
    const again = await api('POST', `/api/instances/${a.id}/restore/${aCreate!.history_id}`);
    expect(again.status).toBe(200);
    expect(again.body.name).toBe(a.name);

    // Live instance renamed since; its old name is now someone else's
    const b = await createInstance();
    const [bCreate] = await historyOf(b.id, 1);
    await api('PATCH', `/api/instances/${b.id}`, { name: uniqueName('renamed') });
    await createInstance({ name: b.name });
    const live = await api('POST', `/api/instances/${b.id}/restore/${bCreate!.history_id}`);
    expect(live.status).toBe(409);
  });

  it('404s for a record of another instance, an unknown record or an unknown instance', async () => {
    const a = await createInstance();
    const b = await createInstance();
    const [aCreate] = await historyOf(a.id, 1);
    const other = await api('POST', `/api/instances/${b.id}/restore/${aCreate!.history_id}`);
    expect(other.status).toBe(404);
    expect(other.body.error.details).toMatchObject({ belongs_to_instance: a.id });
    expect((await api('POST', `/api/instances/${a.id}/restore/999999997`)).status).toBe(404);
    expect((await api('GET', `/api/instances/${b.id}`)).body.version).toBe(1);
  });

  it('replays an Idempotency-Key retry without a second version', async () => {
    const { id } = await createInstance();
    await api('PATCH', `/api/instances/${id}`, { replicas: 2 });
    const [v1] = await historyOf(id, 2);
    const key = uniqueName('idem');
    const first = await api('POST', `/api/instances/${id}/restore/${v1!.history_id}`, undefined, {
      'idempotency-key': key,
    });
    const second = await api('POST', `/api/instances/${id}/restore/${v1!.history_id}`, undefined, {
      'idempotency-key': key,
    });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.version).toBe(first.body.version);
    expect((await api('GET', `/api/instances/${id}`)).body.version).toBe(3);
  });
});
