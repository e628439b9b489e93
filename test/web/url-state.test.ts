import { describe, expect, it } from 'vitest';
import { parseSearch, stringifySearch } from '../../web/src/lib/search.ts';
import { toListQuery, validateInstancesSearch } from '../../web/src/features/instances/search.ts';
import { validateHistorySearch } from '../../web/src/features/history/search.ts';

describe('URL ⇄ view state', () => {
  it('a view survives a round trip through a readable URL', () => {
    const view = validateInstancesSearch({
      q: 'llama',
      status: ['pending', 'active'],
      sort: 'name',
      order: 'asc',
      page: 3,
      limit: 100,
      selected: 7,
    });
    const url = stringifySearch(view as Record<string, unknown>);
    expect(url).toBe(
      '?q=llama&status=pending%2Cactive&sort=name&order=asc&page=3&limit=100&selected=7',
    );
    expect(validateInstancesSearch(parseSearch(url))).toEqual(view);
  });

  it('drops what it does not know instead of failing (hand-edited links)', () => {
    expect(
      validateInstancesSearch(parseSearch('?status=active,bogus&sort=evil&page=-1&limit=7&x=1')),
    ).toEqual({ status: ['active'] });
  });

  it('turns the view into the server query: filters and sort on the server, skip for a linked page', () => {
    expect(
      toListQuery(validateInstancesSearch(parseSearch('?status=error&model=m&page=3'))),
    ).toEqual({
      limit: 50,
      status: ['error'],
      model_name: 'm',
      sort_by: 'created_at',
      sort_order: 'desc',
      skip: 100,
    });
    expect(toListQuery({ page: 2, cursor: 'abc' })).toMatchObject({ cursor: 'abc' });
  });

  it('history: two compared records in order, anything else ignored', () => {
    expect(validateHistorySearch({ compare: '9,4', op: 'update,restore' })).toEqual({
      compare: [4, 9],
      op: ['update', 'restore'],
    });
    expect(validateHistorySearch({ compare: '4,4' })).toEqual({});
  });
});
