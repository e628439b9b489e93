/**
 * History records, derived from instance stream records (never written by API handlers), and
 * the shapes the history endpoints answer with. The zod schemas are the single declaration of
 * those shapes: the types are derived from them, the OpenAPI document generated from them.
 * Pure functions: a stream change in, the record and the stats delta out.
 */
import * as z from 'zod/mini';
import { instanceSchema, PRIORITIES, STATUSES, type Instance } from './instance.ts';
import { diffSnapshots, differenceSchema } from './diff.ts';
import { OPERATION_TYPES, TIME_RANGES, isTombstone, toInstance } from './change.ts';

const int = z.int();
const count = z.int().check(z.gte(0));
const isoTimestamp = z.string().check(z.iso.datetime());

/** A changed field's value before and after the change (null where it was or became unset). */
export const changeSchema = z.object({ old: z.unknown(), new: z.unknown() });
/** The instance after the change (before it, for a delete); fields as in `Instance`. */
export const snapshotSchema = z.partial(instanceSchema);

export const historyRecordSchema = z.object({
  history_id: int,
  instance_id: int,
  original_id: int,
  version: int,
  operation_type: z.enum(OPERATION_TYPES),
  operation_timestamp: isoTimestamp,
  actor: z.string(),
  changed_fields: z.array(z.string()),
  changes: z.record(z.string(), changeSchema),
  snapshot: snapshotSchema,
  restored_from: z.optional(int),
  /** Request / batch id shared by every record one API call produced. */
  batch_id: z.string(),
  /** Set when a long-running operation made the change. */
  operation_id: z.optional(z.string()),
  /** Why, as the caller said it (`X-Change-Reason`). */
  reason: z.optional(z.string()),
  /** Set on a copy's first record: the instance it was copied from. */
  copied_from: z.optional(int),
});
export type HistoryRecord = z.output<typeof historyRecordSchema>;

/** A record before its history_id is allocated. */
export type PendingRecord = Omit<HistoryRecord, 'history_id'>;

/** One instance's history, a page at a time (GET /api/instances/{id}/history). */
export const historyPageSchema = z.object({
  items: z.array(historyRecordSchema),
  total: count,
  limit: int,
  offset: count,
  next_cursor: z.nullable(z.string()),
  has_more: z.boolean(),
});
export type HistoryPage = z.output<typeof historyPageSchema>;

/** Records across instances, newest first (GET /api/history/search). */
export const historySearchPageSchema = z.object({
  items: z.array(historyRecordSchema),
  count,
  limit: int,
  next_cursor: z.nullable(z.string()),
  has_more: z.boolean(),
});
export type SearchPage = z.output<typeof historySearchPageSchema>;

export const historyComparisonSchema = z.object({
  record1: historyRecordSchema,
  record2: historyRecordSchema,
  differences: z.array(differenceSchema),
});
export type HistoryComparison = z.output<typeof historyComparisonSchema>;

export const historyBatchComparisonSchema = z.object({
  record_ids: z.array(int),
  records: z.array(historyRecordSchema),
  /** Differences between each record and the next one (in history_id order). */
  comparisons: z.array(z.object({ from: int, to: int, differences: z.array(differenceSchema) })),
  /** For every field that is not the same in all records: each value and who holds it. */
  fields: z.record(z.string(), z.array(z.object({ value: z.unknown(), record_ids: z.array(int) }))),
  unchanged_fields: z.array(z.string()),
});
export type BatchComparison = z.output<typeof historyBatchComparisonSchema>;

const counts = z.record(z.string(), count);

/** GET /api/instances/stats: the stream-kept counters (`statsView`). */
export const instanceStatsSchema = z.object({
  total: count,
  by_status: z.partialRecord(z.enum(STATUSES), count),
  by_priority: z.partialRecord(z.enum(PRIORITIES), count),
  by_cluster: counts,
  by_model: counts,
});
export type InstanceStats = z.output<typeof instanceStatsSchema>;

const changeRef = z.object({
  history_id: int,
  version: int,
  operation_type: z.enum(OPERATION_TYPES),
  operation_timestamp: isoTimestamp,
  actor: z.string(),
});

/** GET /api/instances/{id}/history/stats. */
export const historyStatsSchema = z.object({
  instance_id: int,
  time_range: z.enum(TIME_RANGES),
  from: z.nullable(isoTimestamp),
  to: isoTimestamp,
  total_changes: count,
  by_operation_type: counts,
  most_changed_fields: z.array(z.object({ field: z.string(), count })),
  top_actors: z.array(z.object({ actor: z.string(), count })),
  changes_per_day: z.array(z.object({ date: z.string(), count })),
  first_change: z.nullable(changeRef),
  last_change: z.nullable(changeRef),
});
export type HistoryStats = z.output<typeof historyStatsSchema>;

type Image = Record<string, unknown>;

/**
 * Builds the history record for one stream change, or null for changes that are not
 * instance changes (e.g. a tombstone removed by hand).
 */
export function recordFromChange(
  oldImage: Image | undefined,
  newImage: Image | undefined,
): PendingRecord | null {
  if (!newImage) return null;
  const op = newImage._op as HistoryRecord['operation_type'] | undefined;
  if (!op) return null;
  const before = oldImage && !isTombstone(oldImage) ? toInstance(oldImage) : {};
  const deleted = isTombstone(newImage);
  const after = deleted ? {} : toInstance(newImage);
  const id = Number(newImage.id);
  const differences = diffSnapshots(before, after);
  return {
    instance_id: id,
    original_id: id,
    version: Number(newImage.version),
    operation_type: op,
    operation_timestamp: String(deleted ? newImage.deleted_at : newImage.updated_at),
    actor: String(deleted ? newImage.deleted_by : newImage.updated_by),
    changed_fields: differences.map((d) => d.field),
    changes: Object.fromEntries(
      differences.map((d) => [d.field, { old: d.value1, new: d.value2 }]),
    ),
    snapshot: deleted ? before : after,
    ...(newImage._restored_from !== undefined
      ? { restored_from: Number(newImage._restored_from) }
      : {}),
    batch_id: String(newImage._op_id ?? ''),
    ...(newImage._operation_id !== undefined
      ? { operation_id: String(newImage._operation_id) }
      : {}),
    ...(newImage._reason !== undefined ? { reason: String(newImage._reason) } : {}),
    ...(newImage._copied_from !== undefined ? { copied_from: Number(newImage._copied_from) } : {}),
  };
}

export const STATS_DIMENSIONS = ['status', 'priority', 'cluster_name', 'model_name'] as const;
const PREFIX: Record<(typeof STATS_DIMENSIONS)[number], string> = {
  status: 'status',
  priority: 'priority',
  cluster_name: 'cluster',
  model_name: 'model',
};

/** Counter deltas (attribute → +n/-n) that move the stats from `before` to `after`. */
export function statsDelta(
  before: Partial<Instance>,
  after: Partial<Instance>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  const bump = (k: string, n: number) => {
    delta[k] = (delta[k] ?? 0) + n;
    if (delta[k] === 0) delete delta[k];
  };
  const had = before.id !== undefined;
  const has = after.id !== undefined;
  if (had !== has) bump('total', has ? 1 : -1);
  for (const dim of STATS_DIMENSIONS) {
    const o = had ? before[dim] : undefined;
    const n = has ? after[dim] : undefined;
    if (o === n) continue;
    if (o !== undefined) bump(`${PREFIX[dim]}#${o}`, -1);
    if (n !== undefined) bump(`${PREFIX[dim]}#${n}`, 1);
  }
  return delta;
}

/** Shapes stored counters (the stats shards summed) into the API response (zero counts left out). */
export function statsView(item: Record<string, unknown> | undefined): InstanceStats {
  const view = {
    total: 0,
    by_status: {} as Record<string, number>,
    by_priority: {} as Record<string, number>,
    by_cluster: {} as Record<string, number>,
    by_model: {} as Record<string, number>,
  };
  const target: Record<string, Record<string, number>> = {
    status: view.by_status,
    priority: view.by_priority,
    cluster: view.by_cluster,
    model: view.by_model,
  };
  for (const [k, v] of Object.entries(item ?? {})) {
    if (typeof v !== 'number') continue;
    if (k === 'total') view.total = v;
    const sep = k.indexOf('#');
    if (sep < 0 || v === 0) continue;
    const bucket = target[k.slice(0, sep)];
    if (bucket) bucket[k.slice(sep + 1)] = v;
  }
  return view;
}
