/**
 * Instances API end to end: HTTP → API Gateway v2 event → deployed handler modules → DynamoDB Local.
 */
import { describe, expect, it } from 'vitest';
import { api, createInstance, uniqueName, validInstance } from '../support/api.ts';

const expectErrorShape = (body: any, type: string) => {
  expect(body.error.type).toBe(type);
  expect(typeof body.error.message).toBe('string');
  expect(typeof body.error.request_id).toBe('string');
};

describe('POST /api/instances', () => {
  it('applies the SPEC defaults and returns 201 with Location and ETag', async () => {
    const res = await api('POST', '/api/instances', validInstance());
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/instances/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body).toMatchObject({
      model_version: 'latest',
      replicas: 1,
      pp: 1,
      cp: 8,
      tp: 1,
      workers: 1,
      task_concurrency: 1,
      pipeline_mode: false,
      cuda_graph: false,
      status: 'active',
      priority: 'medium',
      envs: {},
      version: 1,
      created_by: 'local-dev',
      updated_by: 'local-dev',
    });
    expect(res.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('assigns increasing integer ids', async () => {
    const a = await createInstance();
    const b = await createInstance();
    expect(Number.isInteger(a.id)).toBe(true);
    expect(b.id).toBeGreaterThan(a.id);
  });

  it('trims strings and treats empty optional strings as missing', async () => {
    const res = await api(
      'POST',
      '/api/instances',
      validInstance({ model_name: '  m  ', description: '   ' }),
    );
    expect(res.status).toBe(201);
    expect(res.body.model_name).toBe('m');
    expect(res.body).not.toHaveProperty('description');
  });

  it('treats a blank model_version as not sent: its default on create, no change on update', async () => {
    const res = await api('POST', '/api/instances', validInstance({ model_version: '   ' }));
    expect(res.status, res.text).toBe(201);
    expect(res.body.model_version).toBe('latest');
    const patched = await api('PATCH', `/api/instances/${res.body.id}`, {
      model_version: '',
      replicas: 2,
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ model_version: 'latest', replicas: 2, version: 2 });
    const nothing = await api('PATCH', `/api/instances/${res.body.id}`, { model_version: ' ' });
    expect(nothing.status).toBe(200);
    expect(nothing.body.version).toBe(2);
  });

  it('answers 422 naming each bad field, unknown and read-only fields included', async () => {
    const res = await api('POST', '/api/instances', {
      name: '   ',
      model_name: 'm',
      image_tag: 'x',
      replicas: 101,
      cp: 0,
      status: 'running',
      envs: { 'bad-key': 'v' },
      id: 5,
      version: 3,
      colour: 'red',
    });
    expect(res.status).toBe(422);
    expectErrorShape(res.body, 'ValidationError');
    expect(Object.keys(res.body.error.details).sort()).toEqual(
      [
        'name',
        'cluster_name',
        'replicas',
        'cp',
        'status',
        'envs.bad-key',
        'id',
        'version',
        'colour',
      ].sort(),
    );
    expect(res.body.error.details.id).toBe('read-only field');
    expect(res.body.error.details.colour).toBe('unknown field');
  });

  it('rejects a duplicate name in any letter case with 409', async () => {
    const name = uniqueName('Dup');
    await createInstance({ name });
    const res = await api('POST', '/api/instances', validInstance({ name: name.toUpperCase() }));
    expect(res.status).toBe(409);
    expectErrorShape(res.body, 'Conflict');
  });

  it('maps malformed JSON to 400, a wrong media type to 415 and a body over 64 KiB to 413', async () => {
    const bad = await api('POST', '/api/instances', '{"name":', {
      'content-type': 'application/json',
    });
    expect(bad.status).toBe(400);
    expectErrorShape(bad.body, 'BadRequest');
    const media = await api('POST', '/api/instances', 'name=x', { 'content-type': 'text/plain' });
    expect(media.status).toBe(415);
    expectErrorShape(media.body, 'UnsupportedMediaType');
    const big = await api(
      'POST',
      '/api/instances',
      validInstance({ description: 'x'.repeat(70 * 1024) }),
    );
    expect(big.status).toBe(413);
    expectErrorShape(big.body, 'PayloadTooLarge');
  });
});

describe('GET /api/instances/{id}', () => {
  it('returns the ETag and honours If-None-Match with 304', async () => {
    const created = await createInstance();
    const res = await api('GET', `/api/instances/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    const cached = await api('GET', `/api/instances/${created.id}`, undefined, {
      'if-none-match': '"1"',
    });
    expect(cached.status).toBe(304);
    expect(cached.text).toBe('');
  });

  it('answers 404 in the error shape for an unknown id, 400 for a malformed one', async () => {
    const res = await api('GET', '/api/instances/999999999');
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 'NotFound');
    const bad = await api('GET', '/api/instances/abc');
    expect(bad.status).toBe(400);
  });
});

describe('unknown routes and methods', () => {
  it('answers 404 for an unknown route and 405 with Allow for a wrong method', async () => {
    const missing = await api('GET', '/api/nothing-here');
    expect(missing.status).toBe(404);
    expectErrorShape(missing.body, 'NotFound');
    const wrong = await api('DELETE', '/api/instances');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('GET');
    expectErrorShape(wrong.body, 'MethodNotAllowed');
  });

  it('echoes X-Request-Id, and sets one on every response', async () => {
    const echoed = await api('GET', '/api/health', undefined, { 'x-request-id': 'trace-123' });
    expect(echoed.headers.get('x-request-id')).toBe('trace-123');
    const err = await api('GET', '/api/instances/999999998', undefined, {
      'x-request-id': 'trace-456',
    });
    expect(err.headers.get('x-request-id')).toBe('trace-456');
    expect(err.body.error.request_id).toBe('trace-456');
  });
});

describe('PATCH and PUT /api/instances/{id}', () => {
  it('changes only the fields sent and bumps the version', async () => {
    const created = await createInstance({ replicas: 2, description: 'first' });
    const res = await api('PATCH', `/api/instances/${created.id}`, {
      replicas: 4,
      envs: { A: '1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toMatchObject({
      replicas: 4,
      envs: { A: '1' },
      description: 'first',
      version: 2,
    });
    const put = await api('PUT', `/api/instances/${created.id}`, { description: null });
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(3);
    expect(put.body).not.toHaveProperty('description');
  });

  it('keeps the version when nothing changes', async () => {
    const created = await createInstance({ replicas: 3 });
    const res = await api('PATCH', `/api/instances/${created.id}`, {
      replicas: 3,
      name: created.name,
    });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(1);
    expect(res.body.updated_at).toBe(created.updated_at);
  });

  it('honours If-Match: a stale ETag gets 412, the current one 200', async () => {
    const created = await createInstance();
    const stale = await api(
      'PATCH',
      `/api/instances/${created.id}`,
      { replicas: 2 },
      { 'if-match': '"7"' },
    );
    expect(stale.status).toBe(412);
    expectErrorShape(stale.body, 'PreconditionFailed');
    const fresh = await api(
      'PATCH',
      `/api/instances/${created.id}`,
      { replicas: 2 },
      { 'if-match': '"1"' },
    );
    expect(fresh.status).toBe(200);
  });

  it('rejects read-only and unknown fields with 422', async () => {
    const created = await createInstance();
    const res = await api('PATCH', `/api/instances/${created.id}`, {
      version: 9,
      created_by: 'me',
      shiny: true,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual({
      version: 'read-only field',
      created_by: 'read-only field',
      shiny: 'unknown field',
    });
  });

  it('moves the name claim on rename: the old name is free, the new one taken', async () => {
    const a = await createInstance();
    const b = await createInstance();
    const newName = uniqueName('renamed');
    expect((await api('PATCH', `/api/instances/${a.id}`, { name: newName })).status).toBe(200);
    expect(
      (await api('PATCH', `/api/instances/${b.id}`, { name: newName.toUpperCase() })).status,
    ).toBe(409);
    expect((await api('POST', '/api/instances', validInstance({ name: a.name }))).status).toBe(201);
  });

  it('allows a case-only rename of the same instance', async () => {
    const a = await createInstance({ name: uniqueName('case') });
    const res = await api('PATCH', `/api/instances/${a.id}`, { name: a.name.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe(a.name.toUpperCase());
  });

  it('10 concurrent PATCH with the same If-Match: exactly one 200, nine 412', async () => {
    const created = await createInstance();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api('PATCH', `/api/instances/${created.id}`, { replicas: i + 2 }, { 'if-match': '"1"' }),
      ),
    );
    const codes = results.map((r) => r.status).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 412)).toHaveLength(9);
  });

  it('20 concurrent blind PATCH all land: final version 21', async () => {
    const created = await createInstance();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api('PATCH', `/api/instances/${created.id}`, { workers: i + 2 }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const versions = results.map((r) => r.body.version).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const final = await api('GET', `/api/instances/${created.id}`);
    expect(final.body.version).toBe(21);
  });
});

describe('DELETE /api/instances/{id}', () => {
  it('deletes, frees the name, and answers 404 afterwards', async () => {
    const created = await createInstance();
    const res = await api('DELETE', `/api/instances/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Instance deleted successfully', id: created.id });
    expect((await api('GET', `/api/instances/${created.id}`)).status).toBe(404);
    expect((await api('DELETE', `/api/instances/${created.id}`)).status).toBe(404);
    expect(
      (await api('POST', '/api/instances', validInstance({ name: created.name }))).status,
    ).toBe(201);
  });

  it('honours If-Match', async () => {
    const created = await createInstance();
    expect(
      (await api('DELETE', `/api/instances/${created.id}`, undefined, { 'if-match': '"2"' }))
        .status,
    ).toBe(412);
    expect(
      (await api('DELETE', `/api/instances/${created.id}`, undefined, { 'if-match': '"1"' }))
        .status,
    ).toBe(200);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response without a second change', async () => {
    const body = validInstance();
    const key = uniqueName('key');
    const first = await api('POST', '/api/instances', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const second = await api('POST', '/api/instances', body, { 'idempotency-key': key });
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    const list = await api('GET', `/api/instances?name=${encodeURIComponent(body.name)}`);
    expect(list.body.count).toBe(1);
  });

  it('answers 422 for the same key with a different body', async () => {
    const key = uniqueName('key');
    expect(
      (await api('POST', '/api/instances', validInstance(), { 'idempotency-key': key })).status,
    ).toBe(201);
    const res = await api('POST', '/api/instances', validInstance(), { 'idempotency-key': key });
    expect(res.status).toBe(422);
  });

  it('answers 409 to a retry while the first request is still running', async () => {
    const created = await createInstance();
    const key = uniqueName('key');
    // Twenty concurrent blind updates keep the first one busy retrying its conditional write.
    const noise = Array.from({ length: 15 }, (_, i) =>
      api('PATCH', `/api/instances/${created.id}`, { workers: i + 2 }),
    );
    const same = await Promise.all(
      Array.from({ length: 5 }, () =>
        api('PATCH', `/api/instances/${created.id}`, { replicas: 9 }, { 'idempotency-key': key }),
      ),
    );
    await Promise.all(noise);
    const codes = same.map((r) => r.status);
    // Exactly one execution: the rest either replay it (200 + header) or find it in progress (409).
    const executed = same.filter(
      (r) => r.status === 200 && r.headers.get('idempotent-replayed') !== 'true',
    );
    expect(executed).toHaveLength(1);
    expect(codes.every((c) => c === 200 || c === 409)).toBe(true);
  });
});
