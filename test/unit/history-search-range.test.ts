/**
 * A time-bounded history search walks only the days that can hold records: none after
 * tomorrow, and none far before the first record, however wide the range asked for.
 */
import { describe, expect, it } from 'vitest';
import { HistorySearchReader } from '../../shared/repo/history-search.ts';
import { addDays } from '../../shared/repo/history-table.ts';
import { historySearchQuerySchema } from '../../shared/domain/history-search-query.ts';

/** A history table without records whose first record is on the day after `earliest`. */
function emptyHistory(earliest: string) {
  const read: string[] = [];
  let lookups = 0;
  return {
    read,
    lookups: () => lookups,
    firstDay: async () => {
      lookups++;
      return earliest;
    },
    hydrate: async () => [],
    async *days(
      span: { first: string; last: string },
      opts: { start?: { day: string } | undefined },
    ) {
      for (let day = opts.start?.day ?? span.last; day >= span.first; day = addDays(day, -1)) {
        read.push(day);
        const next = day > span.first ? { day: addDays(day, -1) } : null;
        yield { items: [], day, next, queries: 1 };
      }
    },
  };
}

function readerOn(table: ReturnType<typeof emptyHistory>, today: string) {
  const reader = new HistorySearchReader({} as never, { history: 'history' }, () => {
    return new Date(`${today}T12:00:00.000Z`);
  });
  (reader as unknown as { table: unknown }).table = table;
  return reader;
}

const search = (table: ReturnType<typeof emptyHistory>, q: Record<string, string>) =>
  readerOn(table, '2026-12-07').search(historySearchQuerySchema.parse(q));

describe('time-bounded history search', () => {
  it('reads no day after tomorrow, however far in the future end_date is', async () => {
    const table = emptyHistory('2026-01-01');
    const page = await search(table, { start_date: '2026-12-01', end_date: '2100-01-01' });
    expect(table.read).toEqual([
      '2026-12-08',
      '2026-12-07',
      '2026-12-06',
      '2026-12-05',
      '2026-12-04',
      '2026-12-03',
      '2026-12-02',
      '2026-12-01',
    ]);
    expect(page.has_more).toBe(false);
    expect(table.lookups()).toBe(0);
  });

  it('ends the walk once it has passed the first record, however early start_date is', async () => {
    const table = emptyHistory('2026-11-01');
    const page = await search(table, { start_date: '1900-01-01', end_date: '2026-12-07' });
    expect(page).toMatchObject({ items: [], has_more: false, next_cursor: null });
    expect(table.read[0]).toBe('2026-12-07');
    expect(table.read.at(-1)).toBe('2026-10-31');
    expect(table.lookups()).toBe(1);
  });

  it('does not look the first record up for a short quiet range', async () => {
    const table = emptyHistory('2026-11-01');
    await search(table, { start_date: '2026-11-20', end_date: '2026-12-07' });
    expect(table.read).toHaveLength(18);
    expect(table.lookups()).toBe(0);
  });
});
