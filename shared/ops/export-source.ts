/**
 * The history an export operation reads, as resumable pages. A position says where the next
 * page starts, so a chunk redone after a crash re-reads exactly its own records. Key reads
 * only, through the table's access layer (shared/repo/history-table.ts); the upper bound is
 * fixed when the export starts, so the file is a snapshot of history at that time:
 * - `instance_ids` → each instance's partition in version order (ids from the chunk items);
 * - a date range → the `byDay` index, day by day, `ts_key` within the range;
 * - neither → the global `byHistoryId` index up to the highest history id at the start.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HistoryRecord } from '../domain/history.ts';
import { HistoryTable, addDays, daysBetween } from '../repo/history-table.ts';
import { CHUNK_SIZE, type ExportBound, type ExportPosition } from './model.ts';

export interface ExportScope {
  /** Whose chunk items hold the instance ids (with `instance_ids_count`). */
  operation_id?: string;
  instance_ids_count?: number;
  start_date?: string;
  end_date?: string;
}

export interface SourcePage {
  records: HistoryRecord[];
  /** Where the next page starts; null once the walk is over. */
  next: ExportPosition | null;
  /** Share of the walk behind `next` (0–1), for progress. */
  fraction: number;
}

const PAGE = 500;

export class HistoryExportSource {
  private readonly table: HistoryTable;

  constructor(
    client: DynamoDBDocumentClient,
    historyTable: string,
    /** The instance ids of chunk `n` of an operation (export with `instance_ids`). */
    private readonly chunkIds: (operationId: string, n: number) => Promise<number[]>,
  ) {
    this.table = new HistoryTable(client, historyTable);
  }

  async bound(scope: ExportScope, startedAt: string): Promise<ExportBound> {
    const to_ts = scope.end_date ?? startedAt;
    const base = { to_ts, ...(scope.start_date ? { from_ts: scope.start_date } : {}) };
    if (scope.instance_ids_count) return base;
    if (scope.start_date || scope.end_date) {
      const first = scope.start_date?.slice(0, 10) ?? (await this.table.firstDay());
      return { ...base, first_day: first ?? to_ts.slice(0, 10), last_day: to_ts.slice(0, 10) };
    }
    return { ...base, max_hid: await this.table.newestId() };
  }

  start(scope: ExportScope, bound: ExportBound): ExportPosition {
    if (scope.instance_ids_count) return { m: 'ids', k: 0, v: 0 };
    if (bound.first_day) return { m: 'day', d: bound.first_day };
    return { m: 'hid', h: 0 };
  }

  /** Pages from `from` on, until the walk ends. */
  async *pages(
    scope: ExportScope,
    bound: ExportBound,
    from: ExportPosition,
  ): AsyncGenerator<SourcePage> {
    if (from.m === 'ids') {
      const opId = scope.operation_id ?? '';
      yield* this.idsWalk(
        (n) => this.chunkIds(opId, n),
        scope.instance_ids_count ?? 0,
        bound,
        from,
      );
    } else if (from.m === 'day') yield* this.dayWalk(bound, from);
    else yield* this.hidWalk(bound, from);
  }

  private async *idsWalk(
    chunkIds: (n: number) => Promise<number[]>,
    count: number,
    bound: ExportBound,
    from: { k: number; v: number },
  ): AsyncGenerator<SourcePage> {
    let { k } = from;
    let after = from.v;
    let chunk: { n: number; ids: number[] } | undefined;
    while (k < count) {
      const n = Math.floor(k / CHUNK_SIZE);
      if (chunk?.n !== n) chunk = { n, ids: await chunkIds(n) };
      const id = chunk.ids[k % CHUNK_SIZE]!;
      const pages = this.table.recordPages(id, {
        ascending: true,
        after,
        pageSize: PAGE,
        filter: { timestamp: { from: bound.from_ts, to: bound.to_ts } },
      });
      for await (const page of pages) {
        const last = page.lastKey?.version;
        if (last !== undefined) after = Number(last);
        else {
          k++;
          after = 0;
        }
        const next = k < count ? ({ m: 'ids', k, v: after } as const) : null;
        yield { records: page.records, next, fraction: k / count };
      }
    }
  }

  private async *dayWalk(
    bound: ExportBound,
    from: { d: string; key?: Record<string, unknown> },
  ): AsyncGenerator<SourcePage> {
    const first = bound.first_day!;
    const last = bound.last_day!;
    const days = daysBetween(first, last) + 1;
    const span = {
      first,
      last,
      from: bound.from_ts ? `${bound.from_ts}#` : '0',
      to: `${bound.to_ts}#~`,
    };
    for await (const page of this.table.days(span, {
      ascending: true,
      pageSize: PAGE,
      start: { day: from.d, startKey: from.key },
    })) {
      const records = await this.table.hydrate(page.items);
      const next = page.next
        ? ({
            m: 'day',
            d: page.next.day,
            ...(page.next.startKey ? { key: page.next.startKey } : {}),
          } as const)
        : null;
      const reached = page.next?.day ?? addDays(page.day, 1);
      yield { records, next, fraction: Math.min(1, daysBetween(first, reached) / days) };
    }
  }

  private async *hidWalk(bound: ExportBound, from: { h: number }): AsyncGenerator<SourcePage> {
    const max = bound.max_hid ?? 0;
    if (max === 0) {
      yield { records: [], next: null, fraction: 1 };
      return;
    }
    if (from.h >= max) return;
    for await (const page of this.table.walk(
      { by: 'historyId' },
      { ascending: true, after: from.h, to: max, pageSize: PAGE },
    )) {
      const records = await this.table.hydrate(page.items);
      const h = page.lastKey ? Number(page.lastKey.history_id) : max;
      const next = h < max ? ({ m: 'hid', h } as const) : null;
      yield { records, next, fraction: h / max };
      // The bound is reached even when DynamoDB stopped exactly at it with a key to go on from.
      if (!next) return;
    }
  }
}
