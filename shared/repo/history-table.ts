/**
 * The one access layer of the history table: its key shapes, one walker over a key range of
 * any of them in either direction, and the hydrate step from stored items to API records. Key
 * queries only, never a Scan. The readers (HistoryReader, the export source, WebSocket replay,
 * bulk operations) choose partitions, ranges and positions; how those are queried is decided
 * here only.
 *
 * Key shapes (shared/config/tables.ts):
 * - `instance`: the table, partition `instance_id`, sort `version` (one instance's records);
 * - `historyId`: the KEYS_ONLY `byHistoryId` index, partition `h_pk`, sort `history_id` (every
 *   record in allocation order);
 * - `day`: the KEYS_ONLY `byDay` index, partition `day` (UTC date of the change), sort
 *   `ts_key` = `<operation_timestamp>#<history_id, 15 digits>` (unique, in time order).
 * Both index partitions are sharded (`H#<n>`, `<day>#<n>`, n = history_id mod HISTORY_SHARDS,
 * plus the unsharded `H` / `<day>` of records written before): a walk of one of them merges its
 * shards in sort key order, and since those sort keys are unique, a position in the merged walk
 * is a sort key, the same as in one partition.
 * Index entries carry the table key (instance_id, version), which `hydrate` reads records by.
 */
import {
  GetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../aws/batch-get.ts';
import {
  ALL_HISTORY_PK,
  HISTORY_INDEX,
  HISTORY_SHARDS,
  historyShard,
  shardedValues,
} from '../config/index-keys.ts';
import type { HistoryRecord } from '../domain/history.ts';
import { toRecord } from '../domain/history-record.ts';
import { Head, merged, pageLimit } from './merge.ts';

export type Item = Record<string, unknown>;

/** One partition of one key shape. */
export type HistoryPartition =
  | { by: 'instance'; instanceId: number }
  | { by: 'historyId' }
  | { by: 'latePosition' }
  | { by: 'day'; day: string };

type SortKey = number | string;

/** A range of values: `from` / `to` include their bound, `above` / `below` exclude it. */
export interface Bounds<T extends SortKey> {
  from?: T | undefined;
  to?: T | undefined;
  above?: T | undefined;
  below?: T | undefined;
}

export interface WalkOptions extends Bounds<SortKey> {
  /** Sort key order; false walks from the top of the range down. */
  ascending: boolean;
  /** Resume strictly after this sort key, in the walk's direction. */
  after?: SortKey | undefined;
  /** Resume after this key, as a page's `lastKey` gave it. */
  startKey?: Item | undefined;
  /** Entries one query reads at most (DynamoDB `Limit`); unset: what 1 MB holds. */
  pageSize?: number | undefined;
  /** Entries the walk returns at most. */
  max?: number | undefined;
  /**
   * Conditions DynamoDB applies after the key range, on the table's items (index entries are
   * keys only). Filtered entries still count against `pageSize`. One instance's partition only:
   * a merged walk could not say how far a page of filtered-out entries reached.
   */
  filter?: { historyId?: Bounds<number>; timestamp?: Bounds<string> } | undefined;
  /** Attributes to read instead of whole items (table walks). */
  projection?: readonly string[] | undefined;
}

export interface WalkPage {
  items: Item[];
  /** Where the next page starts; undefined at the end of the range. */
  lastKey: Item | undefined;
  /** Entries the query read, those its filter dropped included. */
  scanned: number;
  /** DynamoDB queries behind this page: 1 in one partition, one per shard read in a merge. */
  queries: number;
}

/** A position in a walk across days: that day, after a sort key or an index key, or from its start. */
export interface DayPosition {
  day: string;
  after?: string | undefined;
  startKey?: Item | undefined;
}

export interface DayPage extends WalkPage {
  day: string;
  /** Where the walk continues; null once it is over. */
  next: DayPosition | null;
}

interface Shape {
  index?: string;
  pk: string;
  sk: string;
  /** Placeholder of the partition value, stable so that a logged request reads plainly. */
  pkValue: string;
}

const SHAPES: Record<HistoryPartition['by'], Shape> = {
  instance: { pk: 'instance_id', sk: 'version', pkValue: ':id' },
  historyId: { index: HISTORY_INDEX.byHistoryId, pk: 'h_pk', sk: 'history_id', pkValue: ':h' },
  latePosition: {
    index: HISTORY_INDEX.byLatePosition,
    pk: 'h_pk',
    sk: 'late_pos',
    pkValue: ':h',
  },
  day: { index: HISTORY_INDEX.byDay, pk: 'day', sk: 'ts_key', pkValue: ':d' },
};

/** The partition values a walk reads: an instance's one, or every shard of an index key. */
const partitionValues = (p: HistoryPartition): SortKey[] =>
  p.by === 'instance'
    ? [p.instanceId]
    : shardedValues(p.by === 'day' ? p.day : ALL_HISTORY_PK, HISTORY_SHARDS);

const DAY_MS = 86_400_000;

/** `day` (YYYY-MM-DD) moved by `n` days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (YYYY-MM-DD). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

interface Limit {
  value: SortKey;
  exclusive: boolean;
}

/** The narrower of two lower (`sign` 1) or upper (`sign` -1) limits. */
function narrower(a: Limit | undefined, b: Limit | undefined, sign: 1 | -1): Limit | undefined {
  if (!a || !b) return a ?? b;
  if (a.value === b.value) return a.exclusive ? a : b;
  return a.value > b.value === (sign === 1) ? a : b;
}

const lowerOf = (b: Bounds<SortKey>): Limit | undefined =>
  narrower(
    b.from !== undefined ? { value: b.from, exclusive: false } : undefined,
    b.above !== undefined ? { value: b.above, exclusive: true } : undefined,
    1,
  );

const upperOf = (b: Bounds<SortKey>): Limit | undefined =>
  narrower(
    b.to !== undefined ? { value: b.to, exclusive: false } : undefined,
    b.below !== undefined ? { value: b.below, exclusive: true } : undefined,
    -1,
  );

const isEmpty = (lo: Limit | undefined, hi: Limit | undefined): boolean =>
  !!lo &&
  !!hi &&
  (lo.value > hi.value || (lo.value === hi.value && (lo.exclusive || hi.exclusive)));

/**
 * `name` compared with `lo` and `hi` (values `<prefix>lo`, `<prefix>hi`): a BETWEEN when both
 * are included, else one comparison each (a key condition gets at most one); undefined for none.
 */
function comparison(
  name: string,
  prefix: string,
  lo: Limit | undefined,
  hi: Limit | undefined,
  values: Item,
): string | undefined {
  if (lo) values[`${prefix}lo`] = lo.value;
  if (hi) values[`${prefix}hi`] = hi.value;
  if (lo && hi && !lo.exclusive && !hi.exclusive) {
    return `${name} BETWEEN ${prefix}lo AND ${prefix}hi`;
  }
  const parts = [
    lo && `${name} ${lo.exclusive ? '>' : '>='} ${prefix}lo`,
    hi && `${name} ${hi.exclusive ? '<' : '<='} ${prefix}hi`,
  ].filter((p): p is string => !!p);
  return parts.length ? parts.join(' AND ') : undefined;
}

export class HistoryTable {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  /**
   * Pages of one partition's entries in sort key order, within the bounds and from the
   * position given. In one DynamoDB partition every query is one page, empty ones included, so
   * a caller can count them; a sharded partition's page is `pageSize` merged entries.
   */
  walk(partition: HistoryPartition, opts: WalkOptions): AsyncGenerator<WalkPage> {
    return this.walkValues(SHAPES[partition.by], partitionValues(partition), opts);
  }

  private walkValues(shape: Shape, values: SortKey[], opts: WalkOptions) {
    return values.length === 1
      ? this.walkOne(shape, values[0]!, opts)
      : this.walkMerged(shape, values, opts);
  }

  /**
   * The shards' walks merged. Each shard query reads an even share of the entries wanted, and
   * more only from a shard the merge keeps drawing on (`pageLimit`). `lastKey` is the last
   * entry returned: resuming from it (`startKey`) resumes after its sort key in every shard.
   */
  private async *walkMerged(
    shape: Shape,
    values: SortKey[],
    opts: WalkOptions,
  ): AsyncGenerator<WalkPage> {
    if (opts.filter) throw new Error('a walk of a sharded partition takes no filter');
    const after = opts.startKey !== undefined ? (opts.startKey[shape.sk] as SortKey) : opts.after;
    const one = { ...opts, after, startKey: undefined, max: undefined, pageSize: undefined };
    const size = Math.min(opts.pageSize ?? Infinity, opts.max ?? Infinity);
    const wanted = Number.isFinite(size) ? size : undefined;
    let queries = 0;
    const heads = values.map((value) => {
      let startKey: Item | undefined;
      return new Head<Item>(async (head) => {
        queries++;
        const limit =
          wanted !== undefined ? pageLimit(wanted, values.length, head.fetched) : undefined;
        const pages = this.walkOne(shape, value, { ...one, startKey, pageSize: limit, max: limit });
        const page = (await pages.next()).value as WalkPage | undefined;
        startKey = page?.lastKey;
        return { items: page?.items ?? [], more: startKey !== undefined };
      });
    });
    const sk = (i: Item) => i[shape.sk] as SortKey;
    const first = opts.ascending
      ? (a: Item, b: Item) => sk(a) < sk(b)
      : (a: Item, b: Item) => sk(a) > sk(b);
    let items: Item[] = [];
    let returned = 0;
    for await (const { item } of merged(heads, first)) {
      items.push(item);
      returned++;
      if (items.length >= size || returned === opts.max) {
        yield { items, lastKey: item, scanned: items.length, queries };
        queries = 0;
        if (returned === opts.max) return;
        items = [];
      }
    }
    yield { items, lastKey: undefined, scanned: items.length, queries };
  }

  private async *walkOne(
    shape: Shape,
    value: SortKey,
    opts: WalkOptions,
  ): AsyncGenerator<WalkPage> {
    const resume: Bounds<SortKey> = opts.ascending ? { above: opts.after } : { below: opts.after };
    let lo = narrower(lowerOf(opts), lowerOf(resume), 1);
    let hi = narrower(upperOf(opts), upperOf(resume), -1);
    if (isEmpty(lo, hi)) return;
    // A key condition holds one comparison: two limits are a BETWEEN, which includes both. An
    // excluded number moves to its neighbour (a neighbour inside the range, as it is not empty);
    // an excluded string is included and its entry left out of the pages.
    let skip: SortKey | undefined;
    const inclusive = (l: Limit, step: 1 | -1): Limit => {
      if (!l.exclusive) return l;
      if (typeof l.value === 'number') return { value: l.value + step, exclusive: false };
      skip = l.value;
      return { value: l.value, exclusive: false };
    };
    if (lo && hi) {
      lo = inclusive(lo, 1);
      hi = inclusive(hi, -1);
    }

    // DynamoDB refuses names and values an expression does not use: each is added with its use.
    const names: Record<string, string> = { '#pk': shape.pk };
    const values: Item = { [shape.pkValue]: value };
    const range = comparison('#sk', ':', lo, hi, values);
    if (range) names['#sk'] = shape.sk;
    const filters: string[] = [];
    const addFilter = (attr: string, alias: string, bounds: Bounds<SortKey> | undefined) => {
      if (!bounds) return;
      const condition = comparison(
        `#${alias}`,
        `:${alias}_`,
        lowerOf(bounds),
        upperOf(bounds),
        values,
      );
      if (!condition) return;
      names[`#${alias}`] = attr;
      filters.push(condition);
    };
    addFilter('history_id', 'fh', opts.filter?.historyId);
    addFilter('operation_timestamp', 'ft', opts.filter?.timestamp);
    const projection = opts.projection?.map((f, i) => {
      names[`#p${i}`] = f;
      return `#p${i}`;
    });
    const input: QueryCommandInput = {
      TableName: this.name,
      ...(shape.index ? { IndexName: shape.index } : {}),
      KeyConditionExpression: `#pk = ${shape.pkValue}${range ? ` AND ${range}` : ''}`,
      ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
      ...(projection ? { ProjectionExpression: projection.join(', ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: opts.ascending,
    };

    let startKey = opts.startKey;
    let returned = 0;
    do {
      const limit =
        opts.max !== undefined
          ? Math.min(opts.pageSize ?? Infinity, opts.max - returned)
          : opts.pageSize;
      const res = await this.client.send(
        new QueryCommand({
          ...input,
          ...(limit !== undefined ? { Limit: limit } : {}),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      startKey = res.LastEvaluatedKey;
      let items = res.Items ?? [];
      if (skip !== undefined) items = items.filter((i) => i[shape.sk] !== skip);
      returned += items.length;
      yield { items, lastKey: startKey, scanned: res.ScannedCount ?? items.length, queries: 1 };
    } while (startKey && (opts.max === undefined || returned < opts.max));
  }

  /** Every entry of a walk, in order. */
  entries(partition: HistoryPartition, opts: WalkOptions): Promise<Item[]> {
    return this.pagesOf(this.walk(partition, opts));
  }

  private async pagesOf(pages: AsyncIterable<WalkPage>): Promise<Item[]> {
    const out: Item[] = [];
    for await (const page of pages) out.push(...page.items);
    return out;
  }

  /** Like `walk` over one instance's partition, each page's items as records. */
  async *recordPages(
    instanceId: number,
    opts: Omit<WalkOptions, 'projection'>,
  ): AsyncGenerator<Omit<WalkPage, 'items'> & { records: HistoryRecord[] }> {
    for await (const { items, ...page } of this.walk({ by: 'instance', instanceId }, opts)) {
      yield { ...page, records: items.map(toRecord) };
    }
  }

  /**
   * Pages of the `byDay` index across days, from `span.first` to `span.last` (or back), each
   * day's `ts_key` within `span.from`–`span.to`, starting at `opts.start` (else at the first
   * day in walk order). Each page says where the walk continues.
   */
  async *days(
    span: { first: string; last: string } & Bounds<string>,
    opts: { ascending: boolean; pageSize: number; start?: DayPosition | undefined },
  ): AsyncGenerator<DayPage> {
    const step = opts.ascending ? 1 : -1;
    const inSpan = (d: string) => d >= span.first && d <= span.last;
    let day = opts.start?.day ?? (opts.ascending ? span.first : span.last);
    let resume: Omit<DayPosition, 'day'> = opts.start ?? {};
    while (inSpan(day)) {
      const following = addDays(day, step);
      for await (const page of this.walk(
        { by: 'day', day },
        {
          ascending: opts.ascending,
          from: span.from,
          to: span.to,
          after: resume.after,
          startKey: resume.startKey,
          pageSize: opts.pageSize,
        },
      )) {
        const next: DayPosition | null = page.lastKey
          ? { day, startKey: page.lastKey }
          : inSpan(following)
            ? { day: following }
            : null;
        yield { ...page, day, next };
      }
      day = following;
      resume = {};
    }
  }

  /**
   * The hydrate step: records for index entries (or any items holding the table key), read
   * with BatchGetItem, in the entries' order; an entry whose item is gone is left out.
   */
  async hydrate(keys: readonly Item[]): Promise<HistoryRecord[]> {
    const id = (k: Item) => `${String(k.instance_id)}#${String(k.version)}`;
    // BatchGetItem refuses a repeated key: each item is read once.
    const tableKeys = new Map(
      keys.map((k) => [id(k), { instance_id: k.instance_id, version: k.version }]),
    );
    const items = await batchGetAll(this.client, this.name, [...tableKeys.values()]);
    const byKey = new Map(items.map((item) => [id(item), toRecord(item)]));
    return keys.flatMap((k) => byKey.get(id(k)) ?? []);
  }

  /** The table key of a record, from `byHistoryId`: its shard, or `H` for an older record. */
  async keyOf(historyId: number): Promise<{ instance_id: number; version: number } | undefined> {
    const [key] = await this.pagesOf(
      this.walkValues(
        SHAPES.historyId,
        [ALL_HISTORY_PK, `${ALL_HISTORY_PK}#${historyShard(historyId)}`],
        { ascending: true, from: historyId, to: historyId, max: 1 },
      ),
    );
    return key
      ? { instance_id: key.instance_id as number, version: key.version as number }
      : undefined;
  }

  async get(key: { instance_id: number; version: number }): Promise<HistoryRecord | undefined> {
    const res = await this.client.send(new GetCommand({ TableName: this.name, Key: key }));
    return res.Item ? toRecord(res.Item) : undefined;
  }

  /** The newest history id there is, 0 when there is none: one key read of the index. */
  async newestId(): Promise<number> {
    const [top] = await this.entries({ by: 'historyId' }, { ascending: false, max: 1 });
    return Number(top?.history_id ?? 0);
  }

  /** The day of the oldest record (by history id), a day early for clock skew. */
  async firstDay(): Promise<string | undefined> {
    const [oldest] = await this.entries({ by: 'historyId' }, { ascending: true, max: 1 });
    if (!oldest) return undefined;
    const got = await this.client.send(
      new GetCommand({
        TableName: this.name,
        Key: { instance_id: oldest.instance_id, version: oldest.version },
        ProjectionExpression: 'operation_timestamp',
      }),
    );
    const ts = got.Item?.operation_timestamp;
    return typeof ts === 'string' ? addDays(ts.slice(0, 10), -1) : undefined;
  }
}
