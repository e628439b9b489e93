import { describe, expect, it } from 'vitest';
import { parseSearch, stringifySearch } from '../../web/src/lib/search.ts';
import {
  CLEARED_FILTERS,
  hasFilters,
  toListQuery,
  validateInstancesSearch,
} from '../../web/src/features/instances/search.ts';
import { listInstancesQuerySchema } from '../../shared/domain/query.ts';
import * as z from 'zod/mini';

/** The instant the browser means by a local wall-clock time (the test is time-zone free). */
const local = (y: number, m: number, d: number, h = 0, min = 0, s = 0, ms = 0) =>
  new Date(y, m - 1, d, h, min, s, ms).toISOString();

describe('created-date range in the URL', () => {
  it('survives a round trip through a readable URL', () => {
    const view = validateInstancesSearch({
      status: 'active',
      created_from: '2026-11-01',
      created_to: '2026-11-20',
    });
    const url = stringifySearch(view as Record<string, unknown>);
    expect(url).toBe('?status=active&created_from=2026-11-01&created_to=2026-11-20');
    expect(validateInstancesSearch(parseSearch(url))).toEqual(view);
  });

  it('becomes created_after / created_before: whole local days, both ends inclusive', () => {
    const q = toListQuery(
      validateInstancesSearch(parseSearch('?created_from=2026-11-01&created_to=2026-11-20')),
    );
    expect(q).toMatchObject({
      created_after: local(2026, 11, 1),
      created_before: local(2026, 11, 20, 23, 59, 59, 999),
    });
    // Exactly what the API's own schema accepts and normalises to.
    const parsed = z.parse(listInstancesQuerySchema, {
      created_after: q.created_after,
      created_before: q.created_before,
    });
    expect([parsed.created_after, parsed.created_before]).toEqual([
      q.created_after,
      q.created_before,
    ]);
    // One end alone is a half-open range.
    expect(toListQuery({ created_to: '2026-02-28' })).not.toHaveProperty('created_after');
    expect(toListQuery({ created_to: '2026-02-28' }).created_before).toBe(
      local(2026, 2, 28, 23, 59, 59, 999),
    );
  });

  it('drops days that do not exist and a reversed range keeps only its start', () => {
    expect(
      validateInstancesSearch(parseSearch('?created_from=2026-02-30&created_to=yesterday')),
    ).toEqual({});
    expect(
      validateInstancesSearch(parseSearch('?created_from=2026-11-20&created_to=2026-11-01')),
    ).toEqual({ created_from: '2026-11-20' });
    expect(validateInstancesSearch({ created_from: '2026-11-01T10:00' })).toEqual({});
  });

  it('is a filter: "Clear filters" removes it, and the list then has no total', () => {
    const view = validateInstancesSearch(
      parseSearch('?created_from=2026-11-01&sort=name&order=asc&limit=100'),
    );
    expect(hasFilters(view)).toBe(true);
    const cleared = validateInstancesSearch({ ...view, ...CLEARED_FILTERS });
    expect(cleared).toEqual({ sort: 'name', order: 'asc', limit: 100 });
    expect(hasFilters(cleared)).toBe(false);
    expect(CLEARED_FILTERS).toMatchObject({ created_from: undefined, created_to: undefined });
    expect(Object.keys(CLEARED_FILTERS)).toEqual(
      expect.arrayContaining(['created_from', 'created_to']),
    );
  });
});

describe('where a page reached by cursor starts', () => {
  it('round-trips with its cursor and is dropped without one', () => {
    const view = validateInstancesSearch(parseSearch('?q=gpu&page=2&cursor=abc&start=0'));
    expect(view).toMatchObject({ page: 2, cursor: 'abc', start: 0 });
    expect(validateInstancesSearch(parseSearch(stringifySearch({ ...view })))).toEqual(view);
    // Without a cursor the page is fetched with `skip`, so it starts after full pages.
    expect(validateInstancesSearch(parseSearch('?page=2&start=7'))).toEqual({ page: 2 });
    expect(validateInstancesSearch(parseSearch('?page=2&cursor=abc&start=-1'))).toEqual({
      page: 2,
      cursor: 'abc',
    });
  });

  it('is not part of the list request: the cursor alone says where the server goes on', () => {
    expect(toListQuery({ page: 2, cursor: 'abc', start: 3 })).not.toHaveProperty('start');
    expect(toListQuery({ page: 2, cursor: 'abc', start: 3 }).cursor).toBe('abc');
  });
});
