/**
 * History read side (the stream consumer writes; this only reads). Key queries only, never a
 * Scan:
 * - per instance: the instance's partition (pk instance_id, sk version). `version` is the sort
 *   key, so dates, operation types, fields and text are filters applied while the partition is
 *   read. That is deliberate: an instance's history is small (one record per change) and the
 *   list reports `total`, which needs every match counted anyway. Cost: one Query page per
 *   1 MB of that instance's history per request, memory: one page plus the page returned.
 * - one record by history_id: the KEYS_ONLY `byHistoryId` index, then GetItem.
 * - across instances: time-bounded → the `byDay` index, one Query per day of the range
 *   (ts_key BETWEEN), newest first; unbounded with `instance_ids` → those partitions merged by
 *   history_id; unbounded → `byHistoryId` newest first. A request examines at most
 *   MAX_SEARCH_KEYS index entries and MAX_SEARCH_QUERIES queries and otherwise returns what
 *   it found with a cursor, so a sparse search pages instead of timing out.
 */
import { batchGetAll } from '../aws/batch-get.ts';
import {
  GetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { ALL_HISTORY_PK, HISTORY_INDEX } from '../config/tables.ts';
import type { TableNames } from '../aws/dynamo.ts';
import type { HistoryRecord } from '../domain/history.ts';
import {
  HistoryStatsAccumulator,
  batchCompare,
  checkDateRange,
  compareSnapshots,
  matchesRecord,
  rangeStart,
  toRecord,
  type HistoryListQuery,
  type HistorySearchQuery,
  type StatsInput,
  type TimeRange,
} from '../domain/history-query.ts';
import { badRequest, notFound } from '../domain/errors.ts';

type Item = Record<string, unknown>;

/** Index entries one search request examines at most before it answers with a cursor. */
export const MAX_SEARCH_KEYS = 2_000;
/** Queries (e.g. days of a long, sparse range) one search request runs at most. */
export const MAX_SEARCH_QUERIES = 200;
/** Page JSON budget: below API Gateway's 6 MB Lambda response limit, with room to spare. */
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;
const DAY_MS = 24 * 3600_000;

export interface HistoryPage {
  items: HistoryRecord[];
  total: number;
  limit: number;
  offset: number;
  next_cursor: string | null;
  has_more: boolean;
}

export interface SearchPage {
  items: HistoryRecord[];
  count: number;
  limit: number;
  next_cursor: string | null;
  has_more: boolean;
}

// ---------------------------------------------------------------------------------------------
// Cursors: opaque base64url JSON, bound to the query that issued them (a hash of its filters).

function queryHash(shape: unknown): string {
  return createHash('sha256').update(JSON.stringify(shape)).digest('base64url').slice(0, 16);
}

const encode = (c: object) => Buffer.from(JSON.stringify(c)).toString('base64url');

const invalidCursor = () =>
  badRequest('Invalid cursor', { cursor: 'not a cursor issued for this query' });

function decode(raw: string, hash: string): Record<string, unknown> {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!c || typeof c !== 'object' || Array.isArray(c)) throw invalidCursor();
  const obj = c as Record<string, unknown>;
  if (obj.v !== 1 || obj.q !== hash) throw invalidCursor();
  return obj;
}

const isId = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A position in a search walk: resume strictly after it (in newest-first order). */
type Position = { d: string; t: string | null } | { i: number };

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
}

// ---------------------------------------------------------------------------------------------

export class HistoryReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    /** `instances` tells an unknown instance (404) from one whose history is still empty. */
    private readonly tables: Pick<TableNames, 'history'> & Partial<Pick<TableNames, 'instances'>>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  // ----- one instance -------------------------------------------------------------------------

  /** Pages of one instance's partition in version order (each page ≤ `pageSize` items). */
  async *partitionPages(
    instanceId: number,
    opts: { ascending?: boolean; pageSize?: number; projection?: readonly string[] } = {},
  ): AsyncGenerator<Item[]> {
    let startKey: Item | undefined;
    const names: Record<string, string> = { '#pk': 'instance_id' };
    const projection = opts.projection?.map((f, i) => {
      names[`#p${i}`] = f;
      return `#p${i}`;
    });
    do {
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.tables.history,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':pk': instanceId },
          ScanIndexForward: opts.ascending ?? true,
          ...(opts.pageSize ? { Limit: opts.pageSize } : {}),
          ...(projection ? { ProjectionExpression: projection.join(', ') } : {}),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      startKey = res.LastEvaluatedKey;
      if (res.Items?.length) yield res.Items;
    } while (startKey);
  }

  /** Records of one instance, oldest first, `pageSize` at a time (export). */
  async *records(instanceId: number, pageSize = 100): AsyncGenerator<HistoryRecord[]> {
    for await (const page of this.partitionPages(instanceId, { ascending: true, pageSize })) {
      yield page.map(toRecord);
    }
  }

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
      const c = decode(q.cursor, hash);
      if (!isId(c.k)) throw invalidCursor();
      after = c.k;
    }
    const desc = q.sort_order === 'desc';
    const isAfterCursor = (v: number) => after === undefined || (desc ? v < after : v > after);

    let seen = 0;
    let total = 0;
    let position = 0; // matches before the first item returned
    let bytes = 0;
    let full = false;
    const items: HistoryRecord[] = [];
    for await (const page of this.partitionPages(instanceId, { ascending: !desc })) {
      for (const item of page) {
        seen++;
        const r = toRecord(item);
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
        const size = JSON.stringify(r).length + 1;
        if (items.length > 0 && bytes + size > MAX_PAGE_BYTES) {
          full = true; // the rest of this page would not fit a Lambda response
          continue;
        }
        bytes += size;
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
      next_cursor: hasMore && last ? encode({ v: 1, q: hash, k: last.version }) : null,
      has_more: hasMore,
    };
  }

  /** GET /api/instances/{id}/history/stats: one pass over the partition, projected. */
  async stats(instanceId: number, range: TimeRange) {
    const now = this.clock();
    const from = rangeStart(range, now);
    const acc = new HistoryStatsAccumulator();
    let seen = 0;
    const projection = [
      'history_id',
      'version',
      'operation_type',
      'operation_timestamp',
      'actor',
      'changed_fields',
    ];
    for await (const page of this.partitionPages(instanceId, { projection })) {
      for (const item of page) {
        seen++;
        const r = item as unknown as StatsInput;
        if (from !== undefined && r.operation_timestamp < from) continue;
        acc.add({ ...r, changed_fields: r.changed_fields ?? [] });
      }
    }
    if (seen === 0) await this.assertInstanceKnown(instanceId);
    return {
      instance_id: instanceId,
      time_range: range,
      from: from ?? null,
      to: now.toISOString(),
      ...acc.result(),
    };
  }

  /** 404 unless the instance exists or existed (a tombstone): its history may just be empty. */
  async assertInstanceKnown(instanceId: number): Promise<void> {
    if (!this.tables.instances) return;
    const res = await this.client.send(
      new GetCommand({
        TableName: this.tables.instances,
        Key: { id: instanceId },
        ProjectionExpression: 'id',
      }),
    );
    if (!res.Item) throw notFound(`Instance ${instanceId} not found`, { id: instanceId });
  }

  // ----- records by history_id ----------------------------------------------------------------

  private async keyOf(historyId: number): Promise<Item | undefined> {
    const res = await this.client.send(
      new QueryCommand({
        TableName: this.tables.history,
        IndexName: HISTORY_INDEX.byHistoryId,
        KeyConditionExpression: 'h_pk = :h AND history_id = :id',
        ExpressionAttributeValues: { ':h': ALL_HISTORY_PK, ':id': historyId },
      }),
    );
    const key = res.Items?.[0];
    return key ? { instance_id: key.instance_id, version: key.version } : undefined;
  }

  async get(historyId: number): Promise<HistoryRecord | undefined> {
    const key = await this.keyOf(historyId);
    if (!key) return undefined;
    const res = await this.client.send(
      new GetCommand({ TableName: this.tables.history, Key: key }),
    );
    return res.Item ? toRecord(res.Item) : undefined;
  }

  async getOrThrow(historyId: number): Promise<HistoryRecord> {
    const r = await this.get(historyId);
    if (!r) throw notFound(`History record ${historyId} not found`, { history_id: historyId });
    return r;
  }

  /**
   * A record of instance `instanceId`. A record of another instance is a 404 too: under
   * `/instances/{id}/…` it is not a resource of that instance.
   */
  async getForInstance(instanceId: number, historyId: number): Promise<HistoryRecord> {
    const r = await this.get(historyId);
    if (!r || r.instance_id !== instanceId) {
      throw notFound(`History record ${historyId} of instance ${instanceId} not found`, {
        id: instanceId,
        history_id: historyId,
        ...(r ? { belongs_to_instance: r.instance_id } : {}),
      });
    }
    return r;
  }

  /** Records in the order of `ids`; 404 naming every id that does not exist. */
  async getMany(ids: readonly number[]): Promise<HistoryRecord[]> {
    // BatchGetItem rejects duplicate keys: read each record once, answer in the asked order.
    const unique = [...new Set(ids)];
    const keys = await Promise.all(unique.map((id) => this.keyOf(id)));
    const missing = unique.filter((_, i) => !keys[i]);
    if (missing.length) throw notFound('History records not found', { missing });
    const records = await this.hydrate(keys as Item[]);
    const byId = new Map(records.map((r) => [r.history_id, r]));
    const out = ids.map((id) => byId.get(id));
    const gone = ids.filter((_, i) => !out[i]);
    if (gone.length) throw notFound('History records not found', { missing: gone });
    return out as HistoryRecord[];
  }

  async compare(id1: number, id2: number) {
    const [record1, record2] = await this.getMany([id1, id2]);
    return {
      record1: record1!,
      record2: record2!,
      differences: compareSnapshots(record1!.snapshot, record2!.snapshot),
    };
  }

  async batchCompare(ids: readonly number[]) {
    return batchCompare(await this.getMany(ids));
  }

  /** BatchGetItem by table key (≤ 100 per call, unprocessed keys retried with backoff). */
  private async hydrate(keys: readonly Item[]): Promise<HistoryRecord[]> {
    return (await batchGetAll(this.client, this.tables.history, keys)).map(toRecord);
  }

  // ----- search across instances --------------------------------------------------------------

  /** GET /api/history/search: newest first, see the file comment for the access paths. */
  async search(q: HistorySearchQuery): Promise<SearchPage> {
    checkDateRange(q);
    const { limit: _l, cursor: _c, ...shape } = q;
    const mode = q.start_date || q.end_date ? 'day' : q.instance_ids ? 'merge' : 'hid';
    const hash = queryHash({ mode, ...shape });
    const start = q.cursor !== undefined ? this.searchPosition(decode(q.cursor, hash), mode) : null;
    const walk =
      mode === 'day'
        ? this.dayWalk(q, start as Extract<Position, { d: string }> | null)
        : mode === 'merge'
          ? this.mergeWalk(q.instance_ids!, start as Extract<Position, { i: number }> | null)
          : this.idWalk(start as Extract<Position, { i: number }> | null);
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
    let bytes = 0;
    let resume: Position | null = null;
    let lastPos: Position | null = null;
    walk: for await (const page of walk) {
      queries++;
      const wanted = page.entries.filter(
        (e) => !q.instance_ids || q.instance_ids.includes(e.instance_id),
      );
      const loaded = await this.hydrate(
        wanted
          .filter((e) => !e.record)
          .map((e) => ({ instance_id: e.instance_id, version: e.version })),
      );
      const byKey = new Map(loaded.map((r) => [`${r.instance_id}#${r.version}`, r]));
      for (const [i, e] of page.entries.entries()) {
        const r = e.record ?? byKey.get(`${e.instance_id}#${e.version}`);
        if (r && matchesRecord(filter, r)) {
          const size = JSON.stringify(r).length + 1;
          if (items.length > 0 && bytes + size > MAX_PAGE_BYTES) {
            resume = lastPos; // this record is the first of the next page
            break walk;
          }
          bytes += size;
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
      next_cursor: resume ? encode({ v: 1, q: hash, p: resume }) : null,
      has_more: resume !== null,
    };
  }

  private searchPosition(c: Record<string, unknown>, mode: 'day' | 'merge' | 'hid'): Position {
    const p = c.p as Record<string, unknown> | undefined;
    if (!p || typeof p !== 'object') throw invalidCursor();
    if (mode === 'day') {
      if (typeof p.d !== 'string' || !DAY.test(p.d)) throw invalidCursor();
      if (p.t !== null && (typeof p.t !== 'string' || p.t.length > 64)) throw invalidCursor();
      return { d: p.d, t: p.t };
    }
    if (!isId(p.i)) throw invalidCursor();
    return { i: p.i };
  }

  /** Time-bounded: day partitions of `byDay`, newest day first, ts_key range within each. */
  private async *dayWalk(
    q: HistorySearchQuery,
    start: { d: string; t: string | null } | null,
  ): AsyncGenerator<SearchPageOfKeys> {
    const firstDay = q.start_date ? q.start_date.slice(0, 10) : await this.firstDay();
    if (!firstDay) return;
    // No end: up to tomorrow, so a writer whose clock runs a little ahead is not missed.
    const lastDay = q.end_date
      ? q.end_date.slice(0, 10)
      : addDays(this.clock().toISOString().slice(0, 10), 1);
    const lo = q.start_date ? `${q.start_date}#` : '0';
    const hi = q.end_date ? `${q.end_date}#~` : '9';
    let day = start?.d ?? lastDay;
    let upper: string | null = start?.t ?? null;
    if (day > lastDay || (day < firstDay && start)) throw invalidCursor();
    while (day >= firstDay) {
      let startKey: Item | undefined;
      do {
        const top = upper !== null && upper < hi ? upper : hi;
        const res = await this.queryIndex({
          IndexName: HISTORY_INDEX.byDay,
          KeyConditionExpression: '#d = :d AND ts_key BETWEEN :lo AND :hi',
          ExpressionAttributeNames: { '#d': 'day' },
          ExpressionAttributeValues: { ':d': day, ':lo': lo, ':hi': top },
          ScanIndexForward: false,
          Limit: 100,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        });
        startKey = res.LastEvaluatedKey;
        const d = day;
        const entries = res.Items.filter((k) => k.ts_key !== upper).map((k) => ({
          pos: { d, t: k.ts_key as string },
          instance_id: k.instance_id as number,
          version: k.version as number,
        }));
        const prev = addDays(day, -1);
        const next: Position | null = startKey
          ? { d: day, t: startKey.ts_key as string }
          : prev >= firstDay
            ? { d: prev, t: null }
            : null;
        yield { entries, next };
      } while (startKey);
      day = addDays(day, -1);
      upper = null;
    }
  }

  /** The day of the oldest history record (by history_id), a day early for clock skew. */
  private async firstDay(): Promise<string | undefined> {
    const res = await this.queryIndex({
      IndexName: HISTORY_INDEX.byHistoryId,
      KeyConditionExpression: 'h_pk = :h',
      ExpressionAttributeValues: { ':h': ALL_HISTORY_PK },
      ScanIndexForward: true,
      Limit: 1,
    });
    const key = res.Items[0];
    if (!key) return undefined;
    const got = await this.client.send(
      new GetCommand({
        TableName: this.tables.history,
        Key: { instance_id: key.instance_id, version: key.version },
        ProjectionExpression: 'operation_timestamp',
      }),
    );
    const ts = got.Item?.operation_timestamp;
    return typeof ts === 'string' ? addDays(ts.slice(0, 10), -1) : undefined;
  }

  /** Unbounded: the global `byHistoryId` order, newest first. */
  private async *idWalk(start: { i: number } | null): AsyncGenerator<SearchPageOfKeys> {
    let startKey: Item | undefined;
    do {
      const res = await this.queryIndex({
        IndexName: HISTORY_INDEX.byHistoryId,
        KeyConditionExpression: start ? 'h_pk = :h AND history_id < :c' : 'h_pk = :h',
        ExpressionAttributeValues: { ':h': ALL_HISTORY_PK, ...(start ? { ':c': start.i } : {}) },
        ScanIndexForward: false,
        Limit: 100,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
      startKey = res.LastEvaluatedKey;
      const entries = res.Items.map((k) => ({
        pos: { i: k.history_id as number },
        instance_id: k.instance_id as number,
        version: k.version as number,
      }));
      const next: Position | null = startKey ? { i: startKey.history_id as number } : null;
      yield { entries, next };
    } while (startKey);
  }

  /**
   * Unbounded with `instance_ids`: each instance's partition newest first, merged by history_id
   * (which grows with version within an instance, since the writer allocates ids in stream
   * order). The cursor is the last history_id returned; partitions skip newer records with a
   * filter, so resuming costs the reads of the records above the cursor.
   */
  private async *mergeWalk(
    ids: readonly number[],
    start: { i: number } | null,
  ): AsyncGenerator<SearchPageOfKeys> {
    const heads = ids.map((id) => new PartitionHead(this, id, start?.i));
    await Promise.all(heads.map((h) => h.fill()));
    for (;;) {
      const entries: SearchEntry[] = [];
      while (entries.length < 100) {
        let best: PartitionHead | undefined;
        for (const h of heads) {
          const top = h.peek();
          if (top && (!best || top.history_id > best.peek()!.history_id)) best = h;
        }
        if (!best) break;
        const r = best.take();
        entries.push({
          pos: { i: r.history_id },
          instance_id: r.instance_id,
          version: r.version,
          record: r,
        });
        await best.fill();
      }
      const last = entries[entries.length - 1];
      const more = heads.some((h) => h.peek());
      yield { entries, next: more && last ? last.pos : null };
      if (!more) return;
    }
  }

  /** Query helper with a friendly error for a foreign start key. */
  async queryIndex(
    input: Omit<QueryCommandInput, 'TableName'>,
  ): Promise<{ Items: Item[]; LastEvaluatedKey?: Item }> {
    try {
      const res = await this.client.send(
        new QueryCommand({ TableName: this.tables.history, ...input }),
      );
      return {
        Items: res.Items ?? [],
        ...(res.LastEvaluatedKey ? { LastEvaluatedKey: res.LastEvaluatedKey } : {}),
      };
    } catch (err) {
      if (input.ExclusiveStartKey && err instanceof Error && err.name === 'ValidationException') {
        throw invalidCursor();
      }
      throw err;
    }
  }
}

/** One partition of a merge walk: a buffered, lazily paged, newest-first reader. */
class PartitionHead {
  private buffer: HistoryRecord[] = [];
  private startKey: Item | undefined;
  private done = false;

  constructor(
    private readonly reader: HistoryReader,
    private readonly instanceId: number,
    private readonly below: number | undefined,
  ) {}

  peek(): HistoryRecord | undefined {
    return this.buffer[0];
  }

  take(): HistoryRecord {
    return this.buffer.shift()!;
  }

  async fill(): Promise<void> {
    while (this.buffer.length === 0 && !this.done) {
      const res = await this.reader.queryIndex({
        KeyConditionExpression: 'instance_id = :id',
        ...(this.below !== undefined ? { FilterExpression: 'history_id < :c' } : {}),
        ExpressionAttributeValues: {
          ':id': this.instanceId,
          ...(this.below !== undefined ? { ':c': this.below } : {}),
        },
        ScanIndexForward: false,
        Limit: 100,
        ...(this.startKey ? { ExclusiveStartKey: this.startKey } : {}),
      });
      this.startKey = res.LastEvaluatedKey;
      this.done = !this.startKey;
      this.buffer.push(...res.Items.map(toRecord));
    }
  }
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);
}
