/**
 * Listing instances with key queries only (never a Scan).
 *
 * A query is planned as an ordered list of *sources*: index partitions read in key order.
 * - one equality filter (status, priority, cluster_name or model_name) with the default sort
 *   → that field's index, partition = the value, sorted by created_at;
 * - sort_by status / priority → the partitions of that index in enum order;
 * - otherwise → the all-instances index for the sort field (created_at, updated_at, name),
 *   whose partition `list_pk` is sharded (`I#<id mod 16>`, plus `I` of items not rewritten
 *   since before the shards): one source of 17 partitions, merged in sort key order.
 * Indexes are KEYS_ONLY; the keys read are hydrated with BatchGetItem and every filter is
 * applied to the hydrated item. The cursor records, for each partition of the source it stopped
 * in, the index key of the last entry examined there (sort keys repeat: created_at of two
 * instances may be equal, so one key for all partitions would not do), so pages continue
 * exactly where the previous one stopped: each match once, no matter how many rows a filter
 * drops, and a walk always ends.
 *
 * `skip` (and `page`, which becomes a skip) is an offset: DynamoDB has none, so the entries
 * before it are walked. When the index keys alone decide every filter (`coveredByKeys`), that
 * walk reads keys without reading a single item: in one partition it only counts them (Query
 * `Select: COUNT`, ~40 KEYS_ONLY entries per read unit); a sharded one is merged key by key at
 * the same read cost. Otherwise each skipped entry is read and filtered like a listed one.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import {
  ALL_INSTANCES_PK,
  INSTANCE_INDEX,
  INSTANCE_INDEX_KEYS,
  INSTANCE_LIST_SHARDS,
  shardedValues,
  type InstanceIndexName,
} from '../config/index-keys.ts';
import { PRIORITIES, STATUSES } from '../domain/fields.ts';
import type { Instance } from '../domain/instance.ts';
import { MAX_SKIP, type ListInstancesQuery } from '../domain/query.ts';
import { badRequest } from '../domain/errors.ts';
import type { InstanceReader } from './instance-reader.ts';
import { StatsRepository } from './stats.ts';
import { decodeCursor, encodeCursor, invalidCursor, queryHash } from './cursor.ts';
import { PageBudget } from './page-budget.ts';
import { Head, anyLeft, merged, pageLimit } from './merge.ts';
import { matches, type NormalizedQuery } from './instance-query.ts';

interface Source {
  index: string;
  pkName: string;
  /** Partitions read, merged in sort key order: one value, or every shard of `list_pk`. */
  pkValues: readonly string[];
  skName: string;
  range?: { from?: string; to?: string };
}

type Key = Record<string, unknown>;

/**
 * Where a partition of a source stands: not started (null), read to the end (0), or after the
 * entry with this sort key and instance id.
 */
type Position = null | 0 | [string, number];

export interface ListPage {
  items: Instance[];
  next_cursor: string | null;
}

/** Keys examined per request at most; a sparse filter returns a short page with a cursor. */
export const MAX_KEYS_PER_REQUEST = 5_000;

function source(
  indexName: InstanceIndexName,
  pkValue: string | readonly string[],
  range?: Source['range'],
): Source {
  const { pk, sk } = INSTANCE_INDEX_KEYS[indexName];
  return {
    index: indexName,
    pkName: pk,
    pkValues: typeof pkValue === 'string' ? [pkValue] : pkValue,
    skName: sk,
    ...(range ? { range } : {}),
  };
}

/** Every partition of the all-instances indexes. */
const ALL_INSTANCES = shardedValues(ALL_INSTANCES_PK, INSTANCE_LIST_SHARDS);

export function planSources(q: NormalizedQuery): Source[] {
  const created =
    q.created_after || q.created_before
      ? { from: q.created_after, to: q.created_before }
      : undefined;
  if (q.sort_by === 'status' || q.sort_by === 'priority') {
    const all: readonly string[] = q.sort_by === 'status' ? STATUSES : PRIORITIES;
    const wanted = q[q.sort_by];
    const values = all.filter((v) => !wanted || (wanted as readonly string[]).includes(v));
    if (q.sort_order === 'desc') values.reverse();
    const index = q.sort_by === 'status' ? INSTANCE_INDEX.byStatus : INSTANCE_INDEX.byPriority;
    return values.map((v) => source(index, v, created));
  }
  if (q.sort_by === 'created_at') {
    const eq = (
      [
        ['model_name', INSTANCE_INDEX.byModel],
        ['cluster_name', INSTANCE_INDEX.byCluster],
        ['status', INSTANCE_INDEX.byStatus],
        ['priority', INSTANCE_INDEX.byPriority],
      ] as const
    ).find(([field]) => {
      const v = q[field];
      return typeof v === 'string' || (Array.isArray(v) && v.length === 1);
    });
    if (eq) {
      const v = q[eq[0]];
      return [source(eq[1], Array.isArray(v) ? v[0]! : (v as string), created)];
    }
    return [source(INSTANCE_INDEX.byCreated, ALL_INSTANCES, created)];
  }
  return [
    source(
      q.sort_by === 'updated_at' ? INSTANCE_INDEX.byUpdated : INSTANCE_INDEX.byName,
      ALL_INSTANCES,
    ),
  ];
}

export function normalizeQuery(q: ListInstancesQuery): NormalizedQuery {
  const { cluster, page, ...rest } = q;
  if (cluster !== undefined && rest.cluster_name !== undefined && cluster !== rest.cluster_name) {
    throw badRequest('cluster and cluster_name disagree', { cluster: 'alias of cluster_name' });
  }
  if (page !== undefined) {
    if (rest.cursor !== undefined || rest.skip !== undefined) {
      throw badRequest('Send page, or cursor / skip, not both', {
        page: 'not with cursor or skip',
      });
    }
    // 1-based page of `limit` items: a skip of the pages before it.
    const skip = (page - 1) * rest.limit;
    if (skip > MAX_SKIP) {
      throw badRequest(`page ${page} of ${rest.limit} starts past ${MAX_SKIP} instances`, {
        page: `(page - 1) × limit must be at most ${MAX_SKIP}; follow next_cursor instead`,
      });
    }
    if (skip > 0) rest.skip = skip;
  }
  if (rest.created_after && rest.created_before && rest.created_after > rest.created_before) {
    throw badRequest('created_after is later than created_before', {
      created_after: 'must not be later than created_before',
    });
  }
  return {
    ...rest,
    ...(cluster !== undefined ? { cluster_name: rest.cluster_name ?? cluster } : {}),
  };
}

/**
 * True when the sources' keys decide every filter of the query: each filtered field is the
 * partition of every source (or the created range is the sort key range of every source) and
 * there is no text filter. Then an index entry is a match without reading its item.
 */
export function coveredByKeys(q: NormalizedQuery, sources: readonly Source[]): boolean {
  if (q.name !== undefined || q.search !== undefined) return false;
  const all = (index: string) => sources.every((s) => s.index === index);
  if (q.status && !all(INSTANCE_INDEX.byStatus)) return false;
  if (q.priority && !all(INSTANCE_INDEX.byPriority)) return false;
  if (q.model_name !== undefined && !all(INSTANCE_INDEX.byModel)) return false;
  if (q.cluster_name !== undefined && !all(INSTANCE_INDEX.byCluster)) return false;
  if ((q.created_after || q.created_before) && !sources.every((s) => s.range)) return false;
  return true;
}

/**
 * A list cursor: the query's hash, the source it stopped in and the position in each of that
 * source's partitions. Format 2: format 1 held one index key, which cannot say where a walk of
 * several shards stands, so its cursors are refused like any other foreign one.
 */
function listCursor(hash: string, sources: readonly Source[]) {
  const position = z.union([z.null(), z.literal(0), z.tuple([z.string(), z.int()])]);
  const bySource = sources.map((src, s) =>
    z.object({
      v: z.literal(2),
      q: z.literal(hash),
      s: z.literal(s),
      p: z.array(position).check(z.length(src.pkValues.length)),
    }),
  );
  return z.union(bySource);
}

const hashOf = (q: NormalizedQuery) => {
  const { limit: _l, cursor: _c, skip: _s, ...shape } = q;
  return queryHash(shape);
};

/** Stats counters (`statsView`) that count each one-field equality filter. */
const COUNTED = [
  ['status', 'by_status'],
  ['priority', 'by_priority'],
  ['cluster_name', 'by_cluster'],
  ['model_name', 'by_model'],
] as const;
/** Query keys that page or order; every other key filters (a filter added later included). */
const NOT_FILTERS: ReadonlySet<string> = new Set([
  'limit',
  'cursor',
  'skip',
  'sort_by',
  'sort_order',
]);

export class InstanceLister {
  private readonly stats: StatsRepository | undefined;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly repo: Pick<InstanceReader, 'getMany'>,
    /** The meta table with the stats items; without it `total` is never known. */
    metaTable?: string,
  ) {
    this.stats = metaTable ? new StatsRepository(client, metaTable) : undefined;
  }

  /**
   * The number of instances the query matches, when one read of the stats tells: the counters
   * the stream keeps (shared/repo/stats.ts) count all instances and those per status, priority,
   * cluster and model. So an unfiltered list, or one filtered on exactly one of those fields
   * (several values of it add up), has a total; any other filter would need a walk over the
   * matches, so undefined (no guess). Eventually consistent like GET /api/instances/stats:
   * a write is counted once the stream has processed it.
   */
  async total(query: ListInstancesQuery): Promise<number | undefined> {
    if (!this.stats) return undefined;
    const q = normalizeQuery(query);
    const used = Object.entries(q)
      .filter(([k, v]) => !NOT_FILTERS.has(k) && v !== undefined)
      .map(([k]) => k);
    if (used.length > 1) return undefined;
    const counted = COUNTED.find(([field]) => field === used[0]);
    if (used.length === 1 && !counted) return undefined;
    const view = await this.stats.read();
    if (!counted) return view.total;
    const [field, bucket] = counted;
    const wanted = q[field];
    const values = Array.isArray(wanted) ? wanted : [wanted as string];
    return values.reduce((n, v) => n + ((view[bucket] as Record<string, number>)[v] ?? 0), 0);
  }

  async list(query: ListInstancesQuery): Promise<ListPage> {
    const q = normalizeQuery(query);
    const sources = planSources(q);
    const hash = hashOf(q);
    const ascending = q.sort_order === 'asc';
    let sourceIndex = 0;
    let positions: Position[] | undefined;
    if (q.cursor !== undefined) {
      const c = decodeCursor(listCursor(hash, sources), q.cursor);
      sourceIndex = c.s;
      positions = c.p as Position[];
    }
    let toSkip = q.cursor === undefined ? (q.skip ?? 0) : 0;
    const covered = coveredByKeys(q, sources);
    if (toSkip > 0 && covered) {
      ({
        sourceIndex,
        positions,
        left: toSkip,
      } = await this.skipCounted(sources, ascending, toSkip));
    }
    const items: Instance[] = [];
    const budget = new PageBudget();
    let examined = 0;

    for (; sourceIndex < sources.length; sourceIndex++, positions = undefined) {
      const walk = new SourceWalk(this, sources[sourceIndex]!, ascending, positions);
      // Covered by keys: the rest of the skip is passed without reading an item.
      if (toSkip > 0 && covered) toSkip -= await walk.pass(toSkip);
      // A batch that did not fill the page means the filter drops entries: the next is twice
      // as large (a sparse text search walks its 5,000 keys in ~8 rounds, not 50).
      for (let grow = 1; ; grow = Math.min(grow * 2, 10)) {
        const need = q.limit - items.length + toSkip;
        walk.want = Math.min(1000, Math.max(need, 100) * grow);
        // Keys alone decide the filters: (nearly) every entry is a match, so read no more
        // items than the page needs; otherwise a larger batch, as a filter may drop many.
        const size = covered ? Math.min(need, 1000) : walk.want;
        const batch = await walk.take(Math.min(size, MAX_KEYS_PER_REQUEST - examined));
        if (batch.length === 0) break;
        const hydrated = await this.repo.getMany(batch.map((e) => e.item.id as number));
        const byId = new Map(hydrated.map((i) => [i.id, i]));
        const cursorHere = () =>
          encodeCursor(listCursor(hash, sources), {
            v: 2,
            q: hash,
            s: sourceIndex,
            p: walk.positions(),
          });
        for (const entry of batch) {
          const item = byId.get(entry.item.id as number);
          const hit = item !== undefined && matches(q, item);
          // Past the response budget, the page ends before this entry, which the cursor keeps.
          if (hit && toSkip === 0 && !budget.take(item)) {
            return { items, next_cursor: cursorHere() };
          }
          examined++;
          walk.examined(entry);
          if (hit) {
            if (toSkip > 0) toSkip--;
            else items.push(item);
          }
          if (items.length === q.limit || examined >= MAX_KEYS_PER_REQUEST) {
            const more = (await walk.anyLeft()) || sourceIndex + 1 < sources.length;
            return { items, next_cursor: more ? cursorHere() : null };
          }
        }
      }
    }
    return { items, next_cursor: null };
  }

  /**
   * Moves past up to `count` entries of single-partition sources without reading items:
   * `Select: COUNT` queries return no keys, only how many they passed and where they stopped
   * (LastEvaluatedKey), which is where the page starts. Costs the key reads, ~40 KEYS_ONLY
   * entries per read unit. Stops at a sharded source, which `SourceWalk.pass` walks instead.
   */
  private async skipCounted(
    sources: readonly Source[],
    ascending: boolean,
    count: number,
  ): Promise<{ sourceIndex: number; positions: Position[] | undefined; left: number }> {
    let sourceIndex = 0;
    let startKey: Key | undefined;
    let left = count;
    while (left > 0 && sourceIndex < sources.length) {
      const src = sources[sourceIndex]!;
      if (src.pkValues.length > 1) break;
      const res = await this.query(src, src.pkValues[0]!, ascending, left, startKey, true);
      left -= res.count;
      if (res.lastEvaluatedKey) startKey = res.lastEvaluatedKey;
      else {
        sourceIndex++;
        startKey = undefined;
      }
    }
    const src = sources[sourceIndex];
    const positions = startKey && src ? [positionOf(src, startKey)] : undefined;
    return { sourceIndex, positions, left };
  }

  /** One page of one partition of a source (used by SourceWalk too). */
  async query(
    src: Source,
    pkValue: string,
    ascending: boolean,
    limit: number,
    startKey: Record<string, unknown> | undefined,
    countOnly = false,
  ): Promise<{
    keys: Record<string, unknown>[];
    count: number;
    lastEvaluatedKey?: Record<string, unknown>;
  }> {
    const names: Record<string, string> = { '#pk': src.pkName };
    const values: Record<string, unknown> = { ':pk': pkValue };
    let condition = '#pk = :pk';
    const { from, to } = src.range ?? {};
    if (from !== undefined || to !== undefined) {
      names['#sk'] = src.skName;
      if (from !== undefined && to !== undefined) {
        condition += ' AND #sk BETWEEN :from AND :to';
        values[':from'] = from;
        values[':to'] = to;
      } else if (from !== undefined) {
        condition += ' AND #sk >= :from';
        values[':from'] = from;
      } else {
        condition += ' AND #sk <= :to';
        values[':to'] = to;
      }
    }
    try {
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: src.index,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: ascending,
          Limit: limit,
          ...(countOnly ? { Select: 'COUNT' as const } : {}),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      return {
        keys: res.Items ?? [],
        count: res.Count ?? 0,
        ...(res.LastEvaluatedKey ? { lastEvaluatedKey: res.LastEvaluatedKey } : {}),
      };
    } catch (err) {
      // A well-formed but foreign start key (e.g. outside the key range) is the caller's error.
      if (startKey && err instanceof Error && err.name === 'ValidationException') {
        throw invalidCursor();
      }
      throw err;
    }
  }
}

const positionOf = (src: Source, key: Key): [string, number] => [
  key[src.skName] as string,
  key.id as number,
];

/** An index entry taken from a source's merge, with the partition it came from. */
interface Entry {
  item: Key;
  head: number;
}

/**
 * The walk of one source: its partitions merged in sort key order (ties by id), from the
 * positions a cursor gave, keeping the position of each partition as its entries are examined.
 */
class SourceWalk {
  /** Entries wanted from the source by the next queries (the share of each grows from it). */
  want = 100;
  private readonly heads: Head<Key>[];
  private readonly at: Position[];
  /** Entries taken from the merge and not yet examined, per partition. */
  private readonly pending: number[];
  private readonly merge: AsyncGenerator<Entry>;

  constructor(
    private readonly lister: Pick<InstanceLister, 'query'>,
    private readonly src: Source,
    ascending: boolean,
    positions: readonly Position[] | undefined,
  ) {
    const n = src.pkValues.length;
    this.at = positions ? [...positions] : Array<Position>(n).fill(null);
    this.pending = Array<number>(n).fill(0);
    this.heads = src.pkValues.map((pkValue, i) => {
      const start = this.at[i];
      let startKey: Key | undefined = Array.isArray(start)
        ? { id: start[1], [src.pkName]: pkValue, [src.skName]: start[0] }
        : undefined;
      return new Head<Key>(async (head) => {
        if (start === 0) return { items: [], more: false };
        const limit = pageLimit(this.want, n, head.fetched);
        const res = await this.lister.query(src, pkValue, ascending, limit, startKey);
        startKey = res.lastEvaluatedKey;
        return { items: res.keys, more: startKey !== undefined };
      }, n > 1);
    });
    const sk = src.skName;
    const sign = ascending ? 1 : -1;
    const order = (a: Key, b: Key) =>
      a[sk] === b[sk]
        ? (a.id as number) - (b.id as number)
        : (a[sk] as string) < (b[sk] as string)
          ? -1
          : 1;
    this.merge = merged(this.heads, (a, b) => sign * order(a, b) < 0);
  }

  /** Up to `count` entries of the merge in order, fewer at its end: `examined` each. */
  async take(count: number): Promise<Entry[]> {
    const out: Entry[] = [];
    while (out.length < count) {
      const next = await this.merge.next();
      if (next.done) break;
      this.pending[next.value.head]!++;
      out.push(next.value);
    }
    return out;
  }

  examined(entry: Entry): void {
    this.pending[entry.head]!--;
    this.at[entry.head] = positionOf(this.src, entry.item);
  }

  /** Passes up to `count` entries without reading items; returns how many it passed. */
  async pass(count: number): Promise<number> {
    this.want = Math.min(count, 5_000);
    let passed = 0;
    while (passed < count) {
      const batch = await this.take(Math.min(count - passed, 5_000));
      if (batch.length === 0) break;
      for (const entry of batch) this.examined(entry);
      passed += batch.length;
    }
    return passed;
  }

  /** Whether the source has entries not examined yet (taken, buffered, or still to read). */
  async anyLeft(): Promise<boolean> {
    return this.pending.some((n) => n > 0) || anyLeft(this.heads);
  }

  /** The cursor's positions: a partition read to the end and fully examined is 0. */
  positions(): Position[] {
    return this.at.map((p, i) => (this.heads[i]!.exhausted && this.pending[i] === 0 ? 0 : p));
  }
}
