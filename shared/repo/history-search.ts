/**
 * GET /api/history/search: across instances, newest first, through the table's access layer
 * (history-table.ts). Key queries only, never a Scan:
 * - time-bounded → the `byDay` index, one Query per day of the range (ts_key BETWEEN), newest
 *   first;
 * - unbounded with `instance_ids` → those partitions merged by history_id;
 * - unbounded → `byHistoryId` newest first.
 * A request examines at most MAX_SEARCH_KEYS index entries and MAX_SEARCH_QUERIES queries and
 * otherwise returns what it found with a cursor, so a sparse search pages instead of timing out.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { TableNames } from '../aws/dynamo.ts';
import type { HistoryRecord, SearchPage } from '../domain/history.ts';
import type { HistorySearchQuery } from '../domain/history-search-query.ts';
import { checkDateRange, matchesRecord } from '../domain/history-filter.ts';
import { cursorFields, decodeCursor, encodeCursor, invalidCursor, queryHash } from './cursor.ts';
import { PageBudget } from './page-budget.ts';
import { HistoryTable, addDays } from './history-table.ts';
import { Head, anyLeft, merged } from './merge.ts';

/** Index entries one search request examines at most before it answers with a cursor. */
export const MAX_SEARCH_KEYS = 2_000;
/**
 * DynamoDB queries one search request runs at most. A day of a time-bounded search is 9 (its
 * shards and the unsharded value), so a long, sparse range moves on ~66 days per request.
 */
export const MAX_SEARCH_QUERIES = 600;
/**
 * Empty days a time-bounded search walks before it looks up the first record's day (two small
 * reads) to end a walk that has passed it: far fewer than one request's ~66, and more than the
 * quiet stretches of a live fleet, whose searches then never pay the lookup.
 */
const EMPTY_DAYS_BEFORE_LOOKUP = 30;

// Cursors, bound to the query that issued them (a hash of its filters).

/** Search by day: resume in day `d` below `ts_key` `t` (null: from the top of the day). */
const dayPosition = z.object({
  d: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  t: z.nullable(z.string().check(z.maxLength(64))),
});
/** Search by history id: resume below history id `i`. */
const idPosition = z.object({ i: cursorFields.id });

/** What a search page's cursor holds; each walk reads back only its own kind of position. */
const searchCursor = (hash: string) =>
  z.object({ v: cursorFields.v, q: z.literal(hash), p: z.union([dayPosition, idPosition]) });
const dayCursor = (hash: string) =>
  z.object({ v: cursorFields.v, q: z.literal(hash), p: dayPosition });
const idCursor = (hash: string) =>
  z.object({ v: cursorFields.v, q: z.literal(hash), p: idPosition });

type DayCursor = z.output<typeof dayPosition>;
type IdCursor = z.output<typeof idPosition>;

/** A position in a search walk: resume strictly after it (in newest-first order). */
type Position = DayCursor | IdCursor;

interface SearchEntry {
  pos: Position;
  instance_id: number;
  version: number;
  record?: HistoryRecord;
}

interface SearchPageOfKeys {
  entries: SearchEntry[];
  /** Where to resume after every entry of this page; null when the walk is over. */
  next: Position | null;
  /** DynamoDB queries the page took (a merge of shards takes several). */
  queries: number;
}

export class HistorySearchReader {
  private readonly table: HistoryTable;

  constructor(
    client: DynamoDBDocumentClient,
    tables: Pick<TableNames, 'history'>,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.table = new HistoryTable(client, tables.history);
  }

  /** GET /api/history/search: newest first, see the file comment for the access paths. */
  async search(q: HistorySearchQuery): Promise<SearchPage> {
    checkDateRange(q);
    const { limit: _l, cursor: _c, ...shape } = q;
    const mode = q.start_date || q.end_date ? 'day' : q.instance_ids ? 'merge' : 'hid';
    const hash = queryHash({ mode, ...shape });
    const startAt = <P>(schema: z.ZodMiniType<{ p: P }>) =>
      q.cursor === undefined ? null : decodeCursor(schema, q.cursor).p;
    const walk =
      mode === 'day'
        ? this.dayWalk(q, startAt(dayCursor(hash)))
        : mode === 'merge'
          ? this.mergeWalk(q.instance_ids!, startAt(idCursor(hash)))
          : this.idWalk(startAt(idCursor(hash)));
    const filter = {
      operation_type: q.operation_type,
      start_date: q.start_date,
      end_date: q.end_date,
      instance_ids: q.instance_ids,
      search: q.q,
    };

    const items: HistoryRecord[] = [];
    let examined = 0;
    let queries = 0;
    const budget = new PageBudget();
    let resume: Position | null = null;
    let lastPos: Position | null = null;
    walk: for await (const page of walk) {
      queries += page.queries;
      const wanted = page.entries.filter(
        (e) => !q.instance_ids || q.instance_ids.includes(e.instance_id),
      );
      const loaded = await this.table.hydrate(
        wanted
          .filter((e) => !e.record)
          .map((e) => ({ instance_id: e.instance_id, version: e.version })),
      );
      const byKey = new Map(loaded.map((r) => [`${r.instance_id}#${r.version}`, r]));
      for (const [i, e] of page.entries.entries()) {
        const r = e.record ?? byKey.get(`${e.instance_id}#${e.version}`);
        if (r && matchesRecord(filter, r)) {
          if (!budget.take(r)) {
            resume = lastPos; // this record is the first of the next page
            break walk;
          }
          items.push(r);
        }
        examined++;
        lastPos = e.pos;
        if (items.length >= q.limit) {
          resume = i === page.entries.length - 1 ? page.next : e.pos;
          break walk;
        }
      }
      if (examined >= MAX_SEARCH_KEYS || queries >= MAX_SEARCH_QUERIES) {
        resume = page.next;
        break;
      }
    }
    return {
      items,
      count: items.length,
      limit: q.limit,
      next_cursor: resume ? encodeCursor(searchCursor(hash), { v: 1, q: hash, p: resume }) : null,
      has_more: resume !== null,
    };
  }

  /** Time-bounded: day partitions of `byDay`, newest day first, ts_key range within each. */
  private async *dayWalk(
    q: HistorySearchQuery,
    start: DayCursor | null,
  ): AsyncGenerator<SearchPageOfKeys> {
    const firstDay = q.start_date ? q.start_date.slice(0, 10) : await this.table.firstDay();
    if (!firstDay) return;
    // Up to tomorrow, so a writer whose clock runs a little ahead is not missed; no later, so an
    // end in the future (`end_date=2100-01-01`) does not answer page after empty page.
    const tomorrow = addDays(this.clock().toISOString().slice(0, 10), 1);
    const endDay = q.end_date?.slice(0, 10) ?? tomorrow;
    if (start && (start.d > endDay || start.d < firstDay)) throw invalidCursor();
    const lastDay = endDay < tomorrow ? endDay : tomorrow;
    if (firstDay > lastDay) return;
    const span = {
      first: firstDay,
      last: lastDay,
      from: q.start_date ? `${q.start_date}#` : '0',
      to: q.end_date ? `${q.end_date}#~` : '9',
    };
    const from = start ? { day: start.d, after: start.t ?? undefined } : undefined;
    // A start long before the first record (`start_date=2000-01-01`) would walk every empty day
    // back to it: after a run of empty days, the first record's day is looked up once.
    let emptyDays = 0;
    let earliest: string | undefined | null = q.start_date ? null : firstDay;
    for await (const page of this.table.days(span, {
      ascending: false,
      pageSize: 100,
      start: from,
    })) {
      emptyDays = page.items.length > 0 ? 0 : emptyDays + 1;
      if (earliest === null && emptyDays >= EMPTY_DAYS_BEFORE_LOOKUP)
        earliest = await this.table.firstDay();
      if (earliest !== null && (earliest === undefined || page.day < earliest)) return;
      yield {
        entries: page.items.map((k) => ({
          pos: { d: page.day, t: k.ts_key as string },
          instance_id: k.instance_id as number,
          version: k.version as number,
        })),
        next: page.next && {
          d: page.next.day,
          t: (page.next.startKey?.ts_key as string | undefined) ?? null,
        },
        queries: page.queries,
      };
    }
  }

  /** Unbounded: the global `byHistoryId` order, newest first. */
  private async *idWalk(start: IdCursor | null): AsyncGenerator<SearchPageOfKeys> {
    for await (const page of this.table.walk(
      { by: 'historyId' },
      { ascending: false, after: start?.i, pageSize: 100 },
    )) {
      yield {
        entries: page.items.map((k) => ({
          pos: { i: k.history_id as number },
          instance_id: k.instance_id as number,
          version: k.version as number,
        })),
        next: page.lastKey ? { i: page.lastKey.history_id as number } : null,
        queries: page.queries,
      };
    }
  }

  /**
   * Unbounded with `instance_ids`: each instance's partition newest first, merged by history_id
   * (which grows with version within an instance, since the writer allocates ids in stream
   * order). The cursor is the last history_id returned; partitions skip newer records with a
   * filter, so resuming costs the reads of the records above the cursor.
   */
  private async *mergeWalk(
    ids: readonly number[],
    start: IdCursor | null,
  ): AsyncGenerator<SearchPageOfKeys> {
    let queries = 0;
    const heads = ids.map((id) => {
      const pages = this.table.recordPages(id, {
        ascending: false,
        pageSize: 100,
        ...(start ? { filter: { historyId: { below: start.i } } } : {}),
      });
      return new Head<HistoryRecord>(async () => {
        const page = await pages.next();
        if (page.done) return { items: [], more: false };
        queries += page.value.queries;
        return { items: page.value.records, more: true };
      });
    });
    const newest = merged(heads, (a, b) => a.history_id > b.history_id);
    for (;;) {
      const entries: SearchEntry[] = [];
      while (entries.length < 100) {
        const next = await newest.next();
        if (next.done) break;
        const r = next.value.item;
        entries.push({
          pos: { i: r.history_id },
          instance_id: r.instance_id,
          version: r.version,
          record: r,
        });
      }
      const last = entries[entries.length - 1];
      const more = await anyLeft(heads);
      yield { entries, next: more && last ? last.pos : null, queries };
      queries = 0;
      if (!more) return;
    }
  }
}
