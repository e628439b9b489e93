/**
 * The history an export operation reads, as resumable pages. A position says where the next
 * page starts, so a chunk redone after a crash re-reads exactly its own records. Key reads
 * only, never a Scan; the upper bound is fixed when the export starts, so the file is a
 * snapshot of history at that time:
 * - `instance_ids` → each instance's partition in version order (ids from the chunk items);
 * - a date range → the `byDay` index, day by day, `ts_key` within the range;
 * - neither → the global `byHistoryId` index up to the highest history id at the start.
 */
import { batchGetAll } from '../aws/batch-get.ts';
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ALL_HISTORY_PK, HISTORY_INDEX } from '../config/tables.ts';
import { toRecord } from '../domain/history-query.ts';
import type { HistoryRecord } from '../domain/history.ts';
import { CHUNK_SIZE } from './model.ts';

type Item = Record<string, unknown>;

export type Position =
  | { m: 'ids'; k: number; v: number }
  | { m: 'day'; d: string; key?: Item }
  | { m: 'hid'; h: number };

/** Fixed by the first chunk of an export. */
export interface Bound {
  /** Inclusive time range of the records. */
  from_ts?: string;
  to_ts: string;
  /** Day range of a `day` walk. */
  first_day?: string;
  last_day?: string;
  /** Highest history id of an `hid` walk. */
  max_hid?: number;
}

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
  next: Position | null;
  /** Share of the walk behind `next` (0–1), for progress. */
  fraction: number;
}

const PAGE = 500;
const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);

export class HistoryExportSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly historyTable: string,
    /** The instance ids of chunk `n` of an operation (export with `instance_ids`). */
    private readonly chunkIds: (operationId: string, n: number) => Promise<number[]>,
  ) {}

  async bound(scope: ExportScope, startedAt: string): Promise<Bound> {
    const to_ts = scope.end_date ?? startedAt;
    const base = { to_ts, ...(scope.start_date ? { from_ts: scope.start_date } : {}) };
    if (scope.instance_ids_count) return base;
    if (scope.start_date || scope.end_date) {
      const first = scope.start_date?.slice(0, 10) ?? (await this.firstDay());
      return { ...base, first_day: first ?? to_ts.slice(0, 10), last_day: to_ts.slice(0, 10) };
    }
    const top = await this.client.send(
      new QueryCommand({
        TableName: this.historyTable,
        IndexName: HISTORY_INDEX.byHistoryId,
        KeyConditionExpression: 'h_pk = :h',
        ExpressionAttributeValues: { ':h': ALL_HISTORY_PK },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return { ...base, max_hid: Number(top.Items?.[0]?.history_id ?? 0) };
  }

  start(scope: ExportScope, bound: Bound): Position {
    if (scope.instance_ids_count) return { m: 'ids', k: 0, v: 0 };
    if (bound.first_day) return { m: 'day', d: bound.first_day };
    return { m: 'hid', h: 0 };
  }

  /** Pages from `from` on, until the walk ends. */
  async *pages(scope: ExportScope, bound: Bound, from: Position): AsyncGenerator<SourcePage> {
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
    bound: Bound,
    from: { k: number; v: number },
  ) {
    let { k, v } = from;
    let chunk: { n: number; ids: number[] } | undefined;
    while (k < count) {
      const n = Math.floor(k / CHUNK_SIZE);
      if (chunk?.n !== n) chunk = { n, ids: await chunkIds(n) };
      const id = chunk.ids[k % CHUNK_SIZE]!;
      const values: Item = { ':id': id, ':v': v, ':to': bound.to_ts };
      if (bound.from_ts) values[':from'] = bound.from_ts;
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.historyTable,
          KeyConditionExpression: 'instance_id = :id AND version > :v',
          FilterExpression: bound.from_ts
            ? 'operation_timestamp BETWEEN :from AND :to'
            : 'operation_timestamp <= :to',
          ExpressionAttributeValues: values,
          ScanIndexForward: true,
          Limit: PAGE,
        }),
      );
      const last = res.LastEvaluatedKey?.version;
      if (last !== undefined) v = Number(last);
      else {
        k++;
        v = 0;
      }
      const next = k < count ? ({ m: 'ids', k, v } as const) : null;
      yield { records: (res.Items ?? []).map(toRecord), next, fraction: k / count };
    }
  }

  private async *dayWalk(bound: Bound, from: { d: string; key?: Item }) {
    const first = bound.first_day!;
    const last = bound.last_day!;
    const days = Math.round((Date.parse(last) - Date.parse(first)) / DAY_MS) + 1;
    let { d, key } = from;
    const lo = bound.from_ts ? `${bound.from_ts}#` : '0';
    const hi = `${bound.to_ts}#~`;
    while (d <= last) {
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.historyTable,
          IndexName: HISTORY_INDEX.byDay,
          KeyConditionExpression: '#d = :d AND ts_key BETWEEN :lo AND :hi',
          ExpressionAttributeNames: { '#d': 'day' },
          ExpressionAttributeValues: { ':d': d, ':lo': lo, ':hi': hi },
          ScanIndexForward: true,
          Limit: PAGE,
          ...(key ? { ExclusiveStartKey: key } : {}),
        }),
      );
      const records = await this.hydrate(res.Items ?? []);
      key = res.LastEvaluatedKey;
      if (!key) d = addDays(d, 1);
      const next = d <= last ? ({ m: 'day', d, ...(key ? { key } : {}) } as const) : null;
      const done = Math.round((Date.parse(d) - Date.parse(first)) / DAY_MS);
      yield { records, next, fraction: Math.min(1, done / days) };
    }
  }

  private async *hidWalk(bound: Bound, from: { h: number }) {
    const max = bound.max_hid ?? 0;
    let h = from.h;
    while (h < max) {
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.historyTable,
          IndexName: HISTORY_INDEX.byHistoryId,
          KeyConditionExpression: 'h_pk = :h AND history_id BETWEEN :from AND :max',
          ExpressionAttributeValues: { ':h': ALL_HISTORY_PK, ':from': h + 1, ':max': max },
          ScanIndexForward: true,
          Limit: PAGE,
        }),
      );
      const keys = res.Items ?? [];
      const records = await this.hydrate(keys);
      h = res.LastEvaluatedKey ? Number(keys[keys.length - 1]!.history_id) : max;
      yield { records, next: h < max ? ({ m: 'hid', h } as const) : null, fraction: h / max };
    }
    if (max === 0) yield { records: [], next: null, fraction: 1 };
  }

  /** Full records for index keys, in the keys' order (BatchGetItem, 100 at a time). */
  private async hydrate(keys: readonly Item[]): Promise<HistoryRecord[]> {
    const tableKeys = keys.map((k) => ({ instance_id: k.instance_id, version: k.version }));
    const byKey = new Map(
      (await batchGetAll(this.client, this.historyTable, tableKeys)).map((item) => [
        `${item.instance_id}#${item.version}`,
        toRecord(item),
      ]),
    );
    return keys.flatMap((k) => byKey.get(`${k.instance_id}#${k.version}`) ?? []);
  }

  /** The day of the oldest record (by history id), a day early for clock skew. */
  private async firstDay(): Promise<string | undefined> {
    const res = await this.client.send(
      new QueryCommand({
        TableName: this.historyTable,
        IndexName: HISTORY_INDEX.byHistoryId,
        KeyConditionExpression: 'h_pk = :h',
        ExpressionAttributeValues: { ':h': ALL_HISTORY_PK },
        ScanIndexForward: true,
        Limit: 1,
      }),
    );
    const key = res.Items?.[0];
    if (!key) return undefined;
    const got = await this.client.send(
      new GetCommand({
        TableName: this.historyTable,
        Key: { instance_id: key.instance_id, version: key.version },
        ProjectionExpression: 'operation_timestamp',
      }),
    );
    const ts = got.Item?.operation_timestamp;
    return typeof ts === 'string' ? addDays(ts.slice(0, 10), -1) : undefined;
  }
}
