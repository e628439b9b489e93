/**
 * History records, derived from instance stream records (never written by API handlers), and
 * the shapes the history endpoints answer with. The zod schemas are the single declaration of
 * those shapes: the types are derived from them, the OpenAPI document generated from them.
 * The stream side (a change in, the record and the stats delta out) is ./history-record.ts.
 */
import * as z from 'zod/mini';
import { instanceSchema } from './instance-schema.ts';
import { differenceSchema } from './difference.ts';
import { OPERATION_TYPES, TIME_RANGES } from './change.ts';

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

// The stats counters' view, with its own small module (the stats handler bundles only that).
export { instanceStatsSchema, statsView, type InstanceStats } from './instance-stats.ts';

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
