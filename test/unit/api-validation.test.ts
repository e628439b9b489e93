/**
 * Messages name the real rule ("must be an integer from 1 to 100"), whichever part of it a
 * value broke, and list parameters accept axios's `key[]` form.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  bracketListKeys,
  instancePathSchema,
  listInstancesQuerySchema,
} from '../../shared/domain/query.ts';
import { historyListQuerySchema } from '../../shared/domain/history-list-query.ts';
import { updateInstanceSchema } from '../../shared/domain/instance.ts';
import { batchDeleteSchema } from '../../shared/repo/batch.ts';
import {
  issuesToDetails,
  parseBody,
  parseParams,
  refuseRepeatedKeys,
} from '../../shared/domain/validation.ts';
import { AppError } from '../../shared/domain/errors.ts';

/** The `details` of the AppError `fn` throws. */
function detailsOf(fn: () => unknown): Record<string, unknown> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).details ?? {};
  }
  throw new Error('expected an AppError');
}

describe('integer query parameters', () => {
  it.each(['-1', 'abc', '0', '1001', '1.5', '1e3', '99999999999', ''])(
    'limit=%j → "must be an integer from 1 to 1000"',
    (limit) => {
      expect(detailsOf(() => parseParams(listInstancesQuerySchema, { limit }))).toEqual({
        limit: 'must be an integer from 1 to 1000',
      });
    },
  );

  it('offset=-5 on the history list names 0 to 1000000', () => {
    expect(detailsOf(() => parseParams(historyListQuerySchema, { offset: '-5' }))).toEqual({
      offset: 'must be an integer from 0 to 1000000',
    });
  });

  it('a path id and a page name their ranges', () => {
    expect(detailsOf(() => parseParams(instancePathSchema, { id: 'abc' }, 'path'))).toEqual({
      id: 'must be an integer from 1 to 999999999',
    });
    expect(detailsOf(() => parseParams(historyListQuerySchema, { page: '0' }))).toEqual({
      page: 'must be an integer from 1 to 1000000',
    });
  });

  it('accepts the bounds themselves', () => {
    expect(parseParams(listInstancesQuerySchema, { limit: '1' }).limit).toBe(1);
    expect(parseParams(listInstancesQuerySchema, { limit: '1000' }).limit).toBe(1000);
  });
});

describe('date query parameters', () => {
  const dateError = (value: string) =>
    detailsOf(() => parseParams(listInstancesQuerySchema, { created_after: value })).created_after;

  it('refuse a day the month does not have, which Date.parse would roll over', () => {
    for (const value of ['2020-02-30', '2026-02-29', '2026-04-31', '2026-02-31T10:00:00Z'])
      expect(dateError(value), value).toBe('must be a valid date');
    expect(dateError('2021-13-45')).toBe('must be a valid date');
  });

  it('take every day that exists, leap days included', () => {
    for (const value of ['2024-02-29', '2000-02-29', '0004-02-29', '2026-12-31T23:59:59.999Z'])
      expect(parseParams(listInstancesQuerySchema, { created_after: value }).created_after).toBe(
        new Date(Date.parse(value)).toISOString(),
      );
  });
});

describe('integer body fields', () => {
  it.each([1e308, 101, 0, -3, 1.5, '5', Number.MAX_SAFE_INTEGER + 2])(
    'replicas %j → "must be an integer from 1 to 100"',
    (replicas) => {
      expect(detailsOf(() => parseBody(updateInstanceSchema, { replicas }))).toEqual({
        replicas: 'must be an integer from 1 to 100',
      });
    },
  );

  it('names the safe-integer range where that is the only upper bound', () => {
    expect(detailsOf(() => parseBody(batchDeleteSchema, { ids: [1e308] }))).toEqual({
      'ids.0': `must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}`,
    });
  });

  it('still says "required" for a missing number', () => {
    const schema = z.strictObject({ n: z.int().check(z.gte(1), z.lte(5)) });
    expect(detailsOf(() => parseBody(schema, {}))).toEqual({ n: 'required' });
  });

  it('without the schema names the tightest bound that failed, not the safe-integer one', () => {
    // Callers that only have the issues (e.g. a browser form) still get the real limit.
    const parsed = updateInstanceSchema.safeParse({ replicas: 1e308 });
    expect(parsed.success).toBe(false);
    expect(issuesToDetails(parsed.error!.issues, { replicas: 1e308 })).toEqual({
      replicas: 'must be ≤ 100',
    });
  });
});

describe('bracketListKeys: axios arrays', () => {
  it('turns status[] into status and merges a plain status sent too', () => {
    // Prepare: API Gateway joins a repeated key with commas.
    const query = { 'status[]': 'active,pending', status: 'error', limit: '5' };
    // Act
    const out = bracketListKeys(listInstancesQuerySchema, query);
    // Assess
    expect(out).toEqual({ status: 'error,active,pending', limit: '5' });
    expect(parseParams(listInstancesQuerySchema, out).status).toEqual([
      'error',
      'active',
      'pending',
    ]);
  });

  it('handles every list parameter (priority[] too)', () => {
    expect(bracketListKeys(listInstancesQuerySchema, { 'priority[]': 'high' })).toEqual({
      priority: 'high',
    });
  });

  it('refuses [] on a single-value parameter with a 400 naming it', () => {
    expect(detailsOf(() => bracketListKeys(listInstancesQuerySchema, { 'limit[]': '5' }))).toEqual({
      'limit[]': 'limit takes one value: send limit=…',
    });
  });

  it('refuses a single-value parameter sent twice, which API Gateway would join with a comma', () => {
    expect(detailsOf(() => refuseRepeatedKeys(listInstancesQuerySchema, 'name=a&name=b'))).toEqual({
      name: 'name takes one value: send name=…',
    });
    expect(() =>
      refuseRepeatedKeys(listInstancesQuerySchema, 'status=active&status=error&name=a&x=1&x=2'),
    ).not.toThrow();
  });

  it('leaves an unknown x[] alone, so the schema calls it unknown', () => {
    const out = bracketListKeys(listInstancesQuerySchema, { 'x[]': '1' });
    expect(detailsOf(() => parseParams(listInstancesQuerySchema, out))).toEqual({
      'x[]': 'unknown field',
    });
  });

  it('returns the very same object when there is nothing to rewrite', () => {
    const query = { status: 'active' };
    expect(bracketListKeys(listInstancesQuerySchema, query)).toBe(query);
  });
});
