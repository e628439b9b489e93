/**
 * GET /api/instances/{id}/restore/{history_id}: what a restore would change, before it is
 * made, computed from the same target POST applies — so the restore changes exactly that.
 */
import { describe, expect, it } from 'vitest';
import { api, createInstance, eventually } from '../support/api.ts';

type Rec = Record<string, any>;

/** The instance's records (oldest first) once there are `n`; history follows the stream. */
const historyOf = (id: number, n: number) =>
  eventually(async () => {
    const res = await api('GET', `/api/instances/${id}/history?sort_order=asc&limit=100`);
    return res.status === 200 && res.body.items.length === n
      ? (res.body.items as Rec[])
      : undefined;
  }, 60_000);

describe('restore preview', () => {
  it('shows the differences field by field and envs key by key, and the restore makes them', async () => {
    // Prepare: v1 with 2 replicas, then v2 with 4 replicas, an env var and a description.
    const created = await createInstance({ replicas: 2, envs: { A: '1' } });
    const patched = await api('PATCH', `/api/instances/${created.id}`, {
      replicas: 4,
      envs: { A: '1', B: '2' },
      description: 'scaled out',
    });
    expect(patched.status).toBe(200);
    const [first] = await historyOf(created.id, 2);
    // Act
    const preview = await api('GET', `/api/instances/${created.id}/restore/${first!.history_id}`);
    // Assess
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      instance_id: created.id,
      history_id: first!.history_id,
      recreates: false,
      current_version: 2,
      differences: [
        { field: 'description', value1: 'scaled out', value2: null, type: 'removed' },
        { field: 'envs.B', value1: '2', value2: null, type: 'removed' },
        { field: 'replicas', value1: 4, value2: 2, type: 'modified' },
      ],
    });
    // The restore, conditional on the previewed version, changes exactly what was shown.
    const restored = await api(
      'POST',
      `/api/instances/${created.id}/restore/${first!.history_id}`,
      undefined,
      { 'if-match': `"${preview.body.current_version}"` },
    );
    expect(restored.status).toBe(200);
    const [, , record] = await historyOf(created.id, 3);
    expect(Object.keys(record!.changes).sort()).toEqual(['description', 'envs', 'replicas']);
    // Nothing left to restore: the preview of the same record is now empty.
    const again = await api('GET', `/api/instances/${created.id}/restore/${first!.history_id}`);
    expect(again.body).toMatchObject({ current_version: 3, differences: [] });
  });

  it('shows a deleted instance coming back: every field added, recreates true', async () => {
    const created = await createInstance({ replicas: 3 });
    expect((await api('DELETE', `/api/instances/${created.id}`)).status).toBe(200);
    const [first] = await historyOf(created.id, 2);
    const preview = await api('GET', `/api/instances/${created.id}/restore/${first!.history_id}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ recreates: true, current_version: null });
    const fields = (preview.body.differences as Rec[]).map((d) => [d.field, d.type]);
    expect(fields).toContainEqual(['name', 'added']);
    expect(fields).toContainEqual(['replicas', 'added']);
    expect(fields.every(([, type]) => type === 'added')).toBe(true);
  });

  it('answers 404 for a record of another instance and 400 for a malformed id, changing nothing', async () => {
    const a = await createInstance();
    const b = await createInstance();
    const [recordOfB] = await historyOf(b.id, 1);
    const res = await api('GET', `/api/instances/${a.id}/restore/${recordOfB!.history_id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.type).toBe('NotFound');
    expect((await api('GET', `/api/instances/${a.id}/restore/abc`)).status).toBe(400);
    expect((await api('GET', `/api/instances/${a.id}`)).body.version).toBe(1);
  });
});

describe('restoring a deleted instance conditionally', () => {
  it('fails If-Match, which no deleted instance matches, and takes If-None-Match: *', async () => {
    const created = await createInstance();
    const [first] = await historyOf(created.id, 1);
    expect((await api('DELETE', `/api/instances/${created.id}`)).status).toBe(200);
    const restore = `/api/instances/${created.id}/restore/${first!.history_id}`;
    // The delete's version (2) is no current version either.
    for (const tag of ['*', '"2"']) {
      const res = await api('POST', restore, undefined, { 'if-match': tag });
      expect(res.status, tag).toBe(412);
      expect(res.body.error.details).toMatchObject({ id: created.id, deleted: true });
    }
    expect(
      (await api('POST', restore, undefined, { 'if-none-match': '"2"' })).body.error.details,
    ).toEqual({ 'if-none-match': 'send * to restore the instance only while it is deleted' });
    const recreated = await api('POST', restore, undefined, { 'if-none-match': '*' });
    expect(recreated.status).toBe(200);
    expect(recreated.body.version).toBe(3);
    // Now it exists: If-None-Match: * refuses, If-Match: * passes.
    const again = await api('POST', restore, undefined, { 'if-none-match': '*' });
    expect(again.status).toBe(412);
    expect(again.body.error.details).toEqual({ id: created.id, current_version: 3 });
    expect((await api('POST', restore, undefined, { 'if-match': '*' })).status).toBe(200);
  });
});

describe('routes that take no query parameters', () => {
  it('refuse any sent anyway (400, each named) and change nothing', async () => {
    const created = await createInstance();
    const removal = await api('DELETE', `/api/instances/${created.id}?dry_run=true`);
    expect(removal.status).toBe(400);
    expect(removal.body.error.details).toEqual({ dry_run: 'unknown field' });
    const patch = await api('PATCH', `/api/instances/${created.id}?atomic=true`, { replicas: 2 });
    expect(patch.status).toBe(400);
    const copy = await api('POST', `/api/instances/${created.id}/copy?zz=1`, {});
    expect(copy.status).toBe(400);
    expect((await api('GET', `/api/instances/${created.id}?zz=1`)).status).toBe(400);
    const now = await api('GET', `/api/instances/${created.id}`);
    expect(now.body).toMatchObject({ version: 1, replicas: created.replicas });
  });
});

describe('routes that take no body', () => {
  it('refuse fields sent anyway (422, each named) and change nothing', async () => {
    const created = await createInstance();
    const [first] = await historyOf(created.id, 1);
    const restore = `/api/instances/${created.id}/restore/${first!.history_id}`;
    const fields = await api('POST', restore, { foo: 1, version: 3 });
    expect(fields.status).toBe(422);
    expect(fields.body.error.details).toEqual({ foo: 'unknown field', version: 'read-only field' });
    expect((await api('POST', restore, [1, 2])).body.error.details).toEqual({
      _body: 'must be an object',
    });
    const removal = await api('DELETE', `/api/instances/${created.id}`, { version: 9 });
    expect(removal.status).toBe(422);
    expect((await api('GET', `/api/instances/${created.id}`)).body.version).toBe(1);
    // No body, or an empty object, is a plain call.
    expect((await api('POST', restore, {})).status).toBe(200);
    expect((await api('DELETE', `/api/instances/${created.id}`)).status).toBe(200);
  });
});
