/**
 * GET /api/instances/{id}/history: the instance's partition (pk instance_id, sk version) read
 * whole. `version` is the sort key, so dates, operation types, fields and text are filters
 * applied while the partition is read. That is deliberate: an instance's history is small (one
 * record per change) and the list reports `total`, which needs every match counted anyway.
 * Cost: one Query page per 1 MB of that instance's history per request, memory: one page plus
 * the page returned.
 */
import * as z from 'zod/mini';
import type { HistoryPage, HistoryRecord } from '../domain/history.ts';
import type { HistoryListQuery } from '../domain/history-list-query.ts';
import { checkDateRange, matchesRecord } from '../domain/history-filter.ts';
import { badRequest } from '../domain/errors.ts';
import { cursorFields, decodeCursor, encodeCursor, queryHash } from './cursor.ts';
import { HistoryReader } from './history-reader.ts';
import { PageBudget } from './page-budget.ts';

/** The cursor: the last version returned, bound to the query that issued it (a hash of its filters). */
const listCursor = (hash: string) =>
  z.object({ v: cursorFields.v, q: z.literal(hash), k: cursorFields.id });

export class HistoryListReader extends HistoryReader {
  /**
   * GET /api/instances/{id}/history. Reads the whole partition to count `total`, keeping only
   * the requested page. `offset` skips matches (`page` p is offset (p - 1) × limit, so it
   * costs what an offset costs: the same one pass); a `cursor` (the last version returned)
   * continues after the previous page and `offset` then reports that page's position. The
   * `sort_by` orders coincide (HISTORY_SORT_FIELDS), so every one is this version order.
   */
  async list(instanceId: number, q: HistoryListQuery): Promise<HistoryPage> {
    checkDateRange(q);
    const { limit: _l, offset: _o, page: _p, cursor: _c, ...shape } = q;
    const hash = queryHash({ instanceId, ...shape });
    if (q.page !== undefined && (q.offset !== undefined || q.cursor !== undefined)) {
      throw badRequest('Send page, or offset / cursor, not both', {
        page: 'not with offset or cursor',
      });
    }
    const offset = q.page !== undefined ? (q.page - 1) * q.limit : (q.offset ?? 0);
    let after: number | undefined;
    if (q.cursor !== undefined) {
      if (offset > 0) throw badRequest('Send either offset or cursor, not both');
      after = decodeCursor(listCursor(hash), q.cursor).k;
    }
    const desc = q.sort_order === 'desc';
    const isAfterCursor = (v: number) => after === undefined || (desc ? v < after : v > after);

    let seen = 0;
    let total = 0;
    let position = 0; // matches before the first item returned
    const budget = new PageBudget();
    let full = false;
    const items: HistoryRecord[] = [];
    for await (const page of this.table.recordPages(instanceId, { ascending: !desc })) {
      for (const r of page.records) {
        seen++;
        if (!matchesRecord(q, r)) continue;
        total++;
        if (!isAfterCursor(r.version)) {
          position++;
          continue;
        }
        if (after === undefined && position < offset) {
          position++;
          continue;
        }
        if (full || items.length >= q.limit) continue;
        if (!budget.take(r)) {
          full = true; // the rest of this page would not fit a Lambda response
          continue;
        }
        items.push(r);
      }
    }
    if (seen === 0) await this.assertInstanceKnown(instanceId);
    const hasMore = position + items.length < total;
    const last = items[items.length - 1];
    return {
      items,
      total,
      limit: q.limit,
      offset: after === undefined ? offset : position,
      next_cursor:
        hasMore && last ? encodeCursor(listCursor(hash), { v: 1, q: hash, k: last.version }) : null,
      has_more: hasMore,
    };
  }
}
