import { describe, expect, it } from 'vitest';
import { ValidationError, ConflictError, type Instance } from '../../client/index.ts';
import { anInstance } from '../support/instance-fixture.ts';
import { createInstanceSchema } from '../../shared/domain/instance.ts';
import { parseBody } from '../../shared/domain/validation.ts';
import {
  emptyValues,
  envRow,
  serverFieldErrors,
  validateCreate,
  validateUpdate,
  valuesOf,
} from '../../web/src/features/instances/form.ts';

const base: Instance = anInstance({
  envs: { A: '1' },
  quantization: 'fp8',
  version: 3,
  created_at: '',
  updated_at: '',
  created_by: 'x',
  updated_by: 'x',
});

describe('instance form rules come from the shared schemas', () => {
  it('create: the messages the server would send, at their fields', () => {
    const r = validateCreate({
      ...emptyValues(),
      name: 'ok',
      replicas: 0,
      tp: 17,
      envs: [envRow('1BAD', 'v'), envRow('X', '1'), envRow('X', '2')],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toMatchObject({
      model_name: 'required',
      replicas: 'must be an integer from 1 to 100',
      tp: 'must be an integer from 1 to 16',
      'envs.2': 'duplicate key',
    });
    expect(r.errors['envs.0']).toMatch(/invalid key/);
  });

  it('says what the API says for the same value (the whole number rule, as parseBody does)', () => {
    const values = { ...emptyValues(), name: 'n', model_name: 'm', cluster_name: 'c' };
    const cases: Partial<typeof values>[] = [
      { replicas: 500 },
      { replicas: 0 },
      { workers: 2000 },
      { cp: 65 },
      { image_tag: 't', pp: 17 },
    ];
    for (const change of cases) {
      const v = { ...values, ...change };
      const form = validateCreate(v);
      let server: Record<string, unknown> = {};
      try {
        parseBody(createInstanceSchema, { ...v, envs: {} });
      } catch (e) {
        server = (e as { details: Record<string, unknown> }).details;
      }
      expect(form.ok).toBe(false);
      if (form.ok) continue;
      for (const field of Object.keys(change).filter((k) => k !== 'image_tag'))
        expect(form.errors[field], field).toBe(server[field]);
    }
    const u = validateUpdate(base, { ...valuesOf(base), replicas: 500 });
    expect(u).toEqual({ ok: false, errors: { replicas: 'must be an integer from 1 to 100' } });
  });

  it('an empty required field says "required", plainly; only spaces say so', () => {
    const r = validateCreate({ ...emptyValues(), name: '   ' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual({
      name: 'required (spaces alone do not count)',
      model_name: 'required',
      cluster_name: 'required',
      image_tag: 'required',
    });
  });

  it('update: only changed fields are sent; a cleared optional text is null', () => {
    const v = { ...valuesOf(base), replicas: 4, quantization: '', envs: [envRow('A', '2')] };
    expect(validateUpdate(base, v)).toEqual({
      ok: true,
      body: { replicas: 4, quantization: null, envs: { A: '2' } },
    });
    expect(validateUpdate(base, valuesOf(base))).toEqual({ ok: true, body: {} });
  });

  it('update: an emptied number field is required', () => {
    const r = validateUpdate(base, { ...valuesOf(base), workers: '' });
    expect(r).toEqual({ ok: false, errors: { workers: 'required' } });
  });

  it('server errors land at their fields (422 details, 409 on the name)', () => {
    const headers = new Headers();
    const rows = [envRow('GOOD', '1'), envRow('bad-key', '2')];
    const v = new ValidationError({
      status: 422,
      type: 'ValidationError',
      message: 'Request validation failed',
      details: { replicas: 'must be ≤ 100', 'envs.bad-key': 'invalid key: x' },
      headers,
      body: null,
    });
    expect(serverFieldErrors(v, rows)).toEqual({
      replicas: 'must be ≤ 100',
      'envs.1': 'invalid key: x',
    });
    const c = new ConflictError({
      status: 409,
      type: 'Conflict',
      message: 'An instance named "a" already exists',
      details: { name: 'a' },
      headers,
      body: null,
    });
    expect(serverFieldErrors(c, rows)).toEqual({ name: 'An instance named "a" already exists' });
  });
});

describe('error notifications', () => {
  it('name the request id, so a report can be traced', async () => {
    const { describeError } = await import('../../web/src/lib/errors.ts');
    const err = new ConflictError({
      status: 409,
      type: 'Conflict',
      message: 'busy',
      requestId: 'req-123',
      headers: new Headers(),
      body: null,
    });
    expect(describeError(err)).toEqual({
      title: '409 Conflict',
      message: 'busy (request req-123)',
    });
  });
});
