import { describe, expect, it } from 'vitest';
import { ValidationError, ConflictError, type Instance } from '../../client/index.ts';
import { anInstance } from '../support/instance-fixture.ts';
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
      model_name: 'required (empty after trim)',
      replicas: 'must be ≥ 1',
      tp: 'must be ≤ 16',
      'envs.2': 'duplicate key',
    });
    expect(r.errors['envs.0']).toMatch(/invalid key/);
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
