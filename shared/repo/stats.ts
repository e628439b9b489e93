/**
 * The instance counters the history stream keeps (GET /api/instances/stats, the list's
 * `total`): where they are stored, how a change moves them, how they are read.
 *
 * Sharded deltas summed on read. Every history record that moves a count adds its delta to
 * ONE of `STATS_SHARDS` items, `STATS#instances#<k>`, with k fixed by the instance id; a read
 * sums all shards and the single item `STATS#instances` of earlier versions (so what they
 * counted still counts, with no migration). Why: with one item, every counted change of the
 * fleet is a transaction on the same key, so concurrent stream batches cancel each other
 * (TransactionConflict) and the key's partition caps the fleet at ~500 counted changes/s
 * (1,000 WCU/s, 2 WCU per transactional write). See docs/reliability.md, "Hot keys".
 *
 * K = 16: the ceiling becomes 16 × 500 = 8,000 counted changes/s, over ten times the design
 * peak (~600 changes/s), and two concurrent batches meet on a shard ~1/16 as often. A read
 * is one BatchGetItem of 17 small items (~9 RCU eventually consistent instead of 0.5), far
 * under the 100-key limit: 32 would add read cost for headroom nobody needs.
 *
 * All changes of one instance land on the same shard, so a redelivered record (a no-op by the
 * history put's condition, in the same transaction) hits the shard it already counted in. A
 * shard may hold negative counts (an instance created under the single item and deleted
 * later); only the sum means anything.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../aws/batch-get.ts';
import { statsView, type InstanceStats } from '../domain/instance-stats.ts';

/** The single stats item of earlier versions: still read, no longer written. */
export const LEGACY_STATS_KEY = 'STATS#instances';
export const STATS_SHARDS = 16;

/** The shard an instance's changes are counted in (ids are sequential: even spread). */
export function statsShardKey(instanceId: number): string {
  const k = ((Math.trunc(instanceId) % STATS_SHARDS) + STATS_SHARDS) % STATS_SHARDS;
  return `${LEGACY_STATS_KEY}#${k}`;
}

/** Every item a read sums: the shards and the legacy single item. */
export const STATS_KEYS: readonly string[] = [
  LEGACY_STATS_KEY,
  ...Array.from({ length: STATS_SHARDS }, (_, k) => `${LEGACY_STATS_KEY}#${k}`),
];

/**
 * The transaction item that adds `delta` (attribute → +n/-n, from `statsDelta`) to the
 * instance's shard; the caller puts it in the same transaction as the history record.
 */
export function statsShardUpdate(
  metaTable: string,
  instanceId: number,
  delta: Record<string, number>,
) {
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const parts = Object.entries(delta).map(([attr, n], i) => {
    names[`#a${i}`] = attr;
    values[`:v${i}`] = n;
    return `#a${i} :v${i}`;
  });
  return {
    TableName: metaTable,
    Key: { pk: statsShardKey(instanceId) },
    UpdateExpression: `ADD ${parts.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Adds the numeric attributes of the items (the key and anything else is skipped). */
export function sumCounters(items: readonly Record<string, unknown>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const item of items)
    for (const [k, v] of Object.entries(item))
      if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
  return sum;
}

export class StatsRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly metaTable: string,
  ) {}

  /** The counters now: one BatchGetItem, eventually consistent like the stream that feeds it. */
  async read(): Promise<InstanceStats> {
    const items = await batchGetAll(
      this.client,
      this.metaTable,
      STATS_KEYS.map((pk) => ({ pk })),
    );
    return statsView(sumCounters(items));
  }
}
