import { describe, expect, it } from 'vitest';
import { parseSearch, stringifySearch } from '../../web/src/lib/search.ts';
import {
  dayRange,
  endOfDay,
  idList,
  parseIdInput,
  startOfDay,
  timelinePatch,
  toHistoryListQuery,
  toHistorySearchQuery,
  validateHistorySearch,
  validateHistorySearchAcross,
} from '../../web/src/features/history/search.ts';

describe('history timeline: URL ⇄ filters', () => {
  it('a filtered view survives a round trip through a readable URL', () => {
    const view = validateHistorySearch({
      q: 'alice',
      op: ['restore', 'update'],
      from: '2026-11-01',
      to: '2026-11-20',
      fields: ['replicas', 'envs'],
      compare: '9,4',
      restore: '4',
    });
    // Canonical order (the operation and field lists' own), compared pair older first.
    expect(view).toEqual({
      q: 'alice',
      op: ['update', 'restore'],
      from: '2026-11-01',
      to: '2026-11-20',
      fields: ['replicas', 'envs'],
      compare: [4, 9],
      restore: 4,
    });
    const url = stringifySearch(view as Record<string, unknown>);
    expect(url).toBe(
      '?q=alice&op=update%2Crestore&from=2026-11-01&to=2026-11-20&fields=replicas%2Cenvs&compare=4%2C9&restore=4',
    );
    expect(validateHistorySearch(parseSearch(url))).toEqual(view);
  });

  it('drops what it does not know instead of failing (hand-edited links)', () => {
    expect(
      validateHistorySearch(
        parseSearch(
          '?op=update,bogus&fields=id,version,tp&from=2026-02-30&to=x&q=%20%20&compare=3,3&x=1',
        ),
      ),
    ).toEqual({ op: ['update'], fields: ['tp'] });
  });

  it('a reversed day range keeps its start only (the API would answer 400)', () => {
    expect(dayRange('2026-11-20', '2026-11-01')).toEqual({ from: '2026-11-20' });
    expect(validateHistorySearch({ from: '2026-11-20', to: '2026-11-01' })).toEqual({
      from: '2026-11-20',
    });
  });

  it('turns the view into the list query: every filter goes to the server', () => {
    expect(toHistoryListQuery({})).toEqual({});
    const q = toHistoryListQuery(
      validateHistorySearch(
        parseSearch('?q=vllm&op=update&fields=image_tag&from=2026-11-01&to=2026-11-02&compare=1,2'),
      ),
    );
    expect(q).toEqual({
      search: 'vllm',
      operation_type: ['update'],
      fields: ['image_tag'],
      start_date: new Date(2026, 10, 1).toISOString(),
      end_date: new Date(new Date(2026, 10, 3).getTime() - 1).toISOString(),
    });
  });

  it('days are whole days in the browser time zone, both ends inclusive', () => {
    const start = Date.parse(startOfDay('2026-03-10')!);
    const end = Date.parse(endOfDay('2026-03-10')!);
    expect(new Date(start).getDate()).toBe(10);
    expect(new Date(end).getDate()).toBe(10);
    expect(new Date(end + 1).getDate()).toBe(11);
    expect(startOfDay('2026-13-01')).toBeUndefined();
  });

  it('a filter change from the shared filter bar keeps only timeline keys', () => {
    expect(timelinePatch({ q: 'a', ids: [1], cursor: 'c', fields: undefined })).toEqual({
      q: 'a',
      fields: undefined,
    });
  });
});

describe('history search across instances: URL ⇄ filters', () => {
  it('round-trips ids, operations, dates, text and the page cursor', () => {
    const view = validateHistorySearchAcross(
      parseSearch('?q=llama&ids=12,3,12,x&op=delete&from=2026-10-01&cursor=abc'),
    );
    expect(view).toEqual({
      q: 'llama',
      ids: [12, 3],
      op: ['delete'],
      from: '2026-10-01',
      cursor: 'abc',
    });
    expect(
      validateHistorySearchAcross(parseSearch(stringifySearch(view as Record<string, unknown>))),
    ).toEqual(view);
  });

  it('turns the view into the search query, cursor included for a linked page', () => {
    expect(toHistorySearchQuery({})).toEqual({ limit: 25 });
    expect(
      toHistorySearchQuery({ q: 'x', ids: [1, 2], op: ['create'], to: '2026-01-31', cursor: 'c' }),
    ).toEqual({
      limit: 25,
      q: 'x',
      instance_ids: [1, 2],
      operation_type: ['create'],
      end_date: new Date(new Date(2026, 1, 1).getTime() - 1).toISOString(),
      cursor: 'c',
    });
  });

  it('reads instance ids typed by hand: spaces or commas, distinct, at most 100', () => {
    expect(idList('4, 5 6,,0,-1,4')).toEqual([4, 5, 6]);
    expect(idList('')).toBeUndefined();
    expect(idList(Array.from({ length: 150 }, (_, i) => String(i + 1)))).toHaveLength(100);
  });
});

describe('the "Instance ids" field: taken whole or not at all', () => {
  it('ids separated by commas or spaces, distinct; empty means every instance', () => {
    expect(parseIdInput(' 20, 21 20  7')).toEqual({ ids: [20, 21, 7] });
    expect(parseIdInput('  ')).toEqual({ ids: undefined });
  });

  it('anything that is not an id is an error, not a different filter', () => {
    expect(parseIdInput('abc')).toEqual({ error: 'Not an instance id: abc' });
    expect(parseIdInput('20, abc')).toEqual({ error: 'Not an instance id: abc' });
    expect(parseIdInput('0 -3 1.5')).toEqual({ error: 'Not instance ids: 0, -3, 1.5' });
    expect(parseIdInput('9999999999')).toHaveProperty('error');
    const many = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    expect(parseIdInput(many)).toEqual({ error: 'At most 100 ids (101 given)' });
  });
});
