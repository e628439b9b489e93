/**
 * What a bulk operation may target: an empty filter only with `"all": true`, and
 * `expected_total` checked against the resolved count before anything is stored.
 */
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../shared/domain/errors.ts';
import type { Instance } from '../../shared/domain/instance.ts';
import type { InstanceLister, ListPage } from '../../shared/repo/listing.ts';
import type { OperationRepository } from '../../shared/ops/repository.ts';
import { OperationService } from '../../shared/ops/service.ts';
import {
  createOperationSchema,
  validateOperation,
  type OperationInput,
} from '../../shared/ops/schemas.ts';

const parse = (body: unknown) => {
  const parsed = createOperationSchema.safeParse(body);
  if (!parsed.success) throw new Error('schema rejected the body');
  return validateOperation(parsed.data);
};
const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, details: err.details };
    throw err;
  }
  throw new Error('did not throw');
};

describe('bulk operation targets', () => {
  it('refuses an empty filter unless "all": true confirms it', () => {
    // Act / Assess
    for (const type of ['bulk-delete', 'bulk-update'] as const) {
      const data = type === 'bulk-update' ? { data: { replicas: 2 } } : {};
      expect(failure(() => parse({ type, filter: {}, ...data }))).toEqual({
        status: 422,
        details: { all: 'must be true when the filter has no criteria' },
      });
      expect(failure(() => parse({ type, filter: {}, all: false, ...data })).status).toBe(422);
      expect(parse({ type, filter: {}, all: true, ...data })).toMatchObject({
        type,
        filter: { sent: {}, query: {} },
      });
    }
  });

  it('treats a filter whose only key became its prototype as empty', () => {
    // Prepare: what zod makes of {"__proto__":{…}} (http() refuses the key before this point;
    // this is the second line of defence).
    const body = JSON.parse('{"type":"bulk-delete","filter":{"__proto__":{"status":"active"}}}');
    // Act / Assess
    expect(failure(() => parse(body))).toMatchObject({
      status: 422,
      details: { all: expect.any(String) },
    });
  });

  it('refuses "all": true with criteria, with ids, or without a filter', () => {
    expect(
      failure(() => parse({ type: 'bulk-delete', filter: { status: 'error' }, all: true })),
    ).toEqual({
      status: 422,
      details: { all: 'only with an empty filter; this filter has criteria' },
    });
    expect(failure(() => parse({ type: 'bulk-delete', ids: [1], all: true })).details).toEqual({
      all: expect.any(String),
    });
    expect(failure(() => parse({ type: 'bulk-delete', all: true })).details).toMatchObject({
      all: 'confirms an empty filter: send it with "filter": {}',
    });
  });

  it('accepts expected_total with a filter only, as an integer ≥ 0', () => {
    expect(parse({ type: 'bulk-delete', filter: { status: 'error' }, expected_total: 0 })).toEqual(
      expect.objectContaining({ expected_total: 0 }),
    );
    expect(
      failure(() => parse({ type: 'bulk-delete', ids: [1, 2], expected_total: 2 })).details,
    ).toEqual({ expected_total: 'only with filter; with ids the total is the number of ids' });
    for (const bad of [-1, 1.5, '3', null]) {
      expect(
        createOperationSchema.safeParse({ type: 'bulk-delete', filter: {}, expected_total: bad })
          .success,
      ).toBe(false);
    }
  });
});

describe('OperationService and expected_total', () => {
  const matching = (count: number): Pick<InstanceLister, 'list'> => ({
    list: vi.fn(async (): Promise<ListPage> => ({
      items: Array.from({ length: count }, (_, i) => ({ id: i + 1 }) as Instance),
      next_cursor: null,
    })),
  });
  const service = (count: number) => {
    const create = vi.fn<OperationRepository['create']>(async () => undefined);
    return { create, svc: new OperationService({ create }, matching(count)) };
  };
  const byFilter = (expected_total?: number): OperationInput =>
    parse({
      type: 'bulk-delete',
      filter: { status: 'error' },
      ...(expected_total !== undefined ? { expected_total } : {}),
    });

  it('stores nothing and answers 409 with the real count when the count moved', async () => {
    // Prepare
    const { create, svc } = service(5);
    // Act
    const err = await svc.create(byFilter(4), 'alice').catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 409, details: { expected_total: 4, total: 5 } });
    expect(create).not.toHaveBeenCalled();
  });

  it('stores the operation when the count is the one expected, or none was given', async () => {
    // Prepare
    const a = service(5);
    const b = service(5);
    // Act
    const op = await a.svc.create(byFilter(5), 'alice');
    await b.svc.create(byFilter(), 'alice');
    // Assess
    expect(op).toMatchObject({ total: 5, status: 'pending' });
    expect(a.create).toHaveBeenCalledOnce();
    expect(b.create).toHaveBeenCalledOnce();
  });
});
