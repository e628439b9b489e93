/**
 * Response and message schemas for the OpenAPI document and the typed client. Request schemas
 * live with the handlers that validate them (shared/domain, shared/repo/batch.ts); responses are
 * built by code, so their schemas are written here once and tied to that code's types by the
 * compile-time checks at the end of this file: if a response type changes, `tsc` fails here.
 *
 * Only the OpenAPI route and the client (types only) import this module.
 */
import * as z from 'zod/mini';
import { instanceSchema, PRIORITIES, STATUSES } from '../domain/instance.ts';
import { OPERATION_TYPES, TIME_RANGES, type BatchComparison } from '../domain/history-query.ts';
import type { HistoryRecord, statsView } from '../domain/history.ts';
import type { BatchResult } from '../repo/batch.ts';
import type { HistoryPage, HistoryReader, SearchPage } from '../repo/history-reader.ts';
import {
  OPERATION_STATUSES,
  OPERATION_TYPES as JOB_TYPES,
  type OperationView,
} from '../ops/model.ts';

const int = z.int();
const count = z.int().check(z.gte(0));
const isoTimestamp = z.string().check(z.iso.datetime());

/**
 * The SPEC error shape every handler renders (shared/http/middleware.ts `errorResponse`), with
 * `message` repeated at the top level, where API Gateway's own error bodies have it.
 */
export const errorSchema = z.object({
  error: z.object({
    type: z.string(),
    message: z.string(),
    details: z.optional(z.record(z.string(), z.unknown())),
    request_id: z.string(),
  }),
  message: z.string(),
});
export type ErrorBody = z.output<typeof errorSchema>;

/**
 * What API Gateway itself answers when it rejects a request before any handler runs (JWT
 * authorizer 401, stage throttling 429, payload over 10 MB 413, integration failure 500).
 */
export const gatewayErrorSchema = z.object({ message: z.string() });

export const healthSchema = z.object({
  status: z.literal('ok'),
  table: z.literal('reachable'),
  latency_ms: count,
  time: isoTimestamp,
});

/** GET /health: liveness only. */
export const livenessSchema = z.object({ status: z.literal('ok') });

export const instanceListSchema = z.object({
  items: z.array(instanceSchema),
  count,
  /**
   * How many instances the query matches, present only when one read of the stream-kept
   * counters tells (no filter, or one status / priority / cluster_name / model_name filter).
   */
  total: z.optional(count),
  limit: int,
  next_cursor: z.nullable(z.string()),
});

export const deleteResultSchema = z.object({
  message: z.literal('Instance deleted successfully'),
  id: int,
});

const counts = z.record(z.string(), count);
export const instanceStatsSchema = z.object({
  total: count,
  by_status: z.partialRecord(z.enum(STATUSES), count),
  by_priority: z.partialRecord(z.enum(PRIORITIES), count),
  by_cluster: counts,
  by_model: counts,
});

const itemError = z.object({
  type: z.string(),
  message: z.string(),
  details: z.optional(z.record(z.string(), z.unknown())),
});
export const batchResultSchema = z.object({
  results: z.array(
    z.object({
      id: int,
      status: z.enum([
        'deleted',
        'updated',
        'unchanged',
        'not_found',
        'conflict',
        'invalid',
        'error',
      ]),
      error: z.optional(itemError),
    }),
  ),
  succeeded: count,
  failed: count,
});

const changeSchema = z.object({ old: z.unknown(), new: z.unknown() });
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
  batch_id: z.string(),
  operation_id: z.optional(z.string()),
  reason: z.optional(z.string()),
  copied_from: z.optional(int),
});
export type HistoryRecordOut = z.output<typeof historyRecordSchema>;

export const historyPageSchema = z.object({
  items: z.array(historyRecordSchema),
  total: count,
  limit: int,
  offset: count,
  next_cursor: z.nullable(z.string()),
  has_more: z.boolean(),
});

export const historySearchPageSchema = z.object({
  items: z.array(historyRecordSchema),
  count,
  limit: int,
  next_cursor: z.nullable(z.string()),
  has_more: z.boolean(),
});

const differenceSchema = z.object({
  field: z.string(),
  value1: z.unknown(),
  value2: z.unknown(),
  type: z.enum(['added', 'removed', 'modified']),
});

export const historyComparisonSchema = z.object({
  record1: historyRecordSchema,
  record2: historyRecordSchema,
  differences: z.array(differenceSchema),
});

export const historyBatchComparisonSchema = z.object({
  record_ids: z.array(int),
  records: z.array(historyRecordSchema),
  comparisons: z.array(z.object({ from: int, to: int, differences: z.array(differenceSchema) })),
  fields: z.record(z.string(), z.array(z.object({ value: z.unknown(), record_ids: z.array(int) }))),
  unchanged_fields: z.array(z.string()),
});

const changeRef = z.object({
  history_id: int,
  version: int,
  operation_type: z.enum(OPERATION_TYPES),
  operation_timestamp: isoTimestamp,
  actor: z.string(),
});
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

/** `format=json` export body (csv and xlsx are files with the same columns). */
export const historyExportSchema = z.object({
  instance_id: int,
  exported_at: isoTimestamp,
  records: z.array(historyRecordSchema),
  count,
});

/** GET /api/openapi.json: an OpenAPI 3.1 document (described, not re-specified, here). */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

// ---------------------------------------------------------------------------------------------
// Long-running operations (SPEC §8, shared/ops/model.ts `toView`)

const operationError = z.object({ type: z.string(), message: z.string() });
export const operationSchema = z.object({
  operation_id: z.string(),
  type: z.enum(JOB_TYPES),
  status: z.enum(OPERATION_STATUSES),
  progress: z.int().check(z.gte(0), z.lte(100)),
  total: z.nullable(count),
  processed: count,
  succeeded: count,
  failed: count,
  /** The first 100 item failures. */
  errors: z.array(z.object({ id: int, error: operationError })),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
  actor: z.string(),
  reason: z.optional(z.string()),
  /** What was asked for (the id list itself is not repeated). */
  request: z.looseObject({ type: z.enum(JOB_TYPES) }),
  cancel_requested: z.optional(z.boolean()),
  started_at: z.optional(isoTimestamp),
  finished_at: z.optional(isoTimestamp),
  /** Outcome details; an export's `download_url` is a presigned URL. */
  result: z.optional(z.record(z.string(), z.unknown())),
  /** Why the operation as a whole failed. */
  error: z.optional(operationError),
});

export const operationListSchema = z.object({
  items: z.array(operationSchema),
  count,
  limit: int,
  next_cursor: z.nullable(z.string()),
});

// ---------------------------------------------------------------------------------------------
// WebSocket server → client messages (SPEC §5, shared/ws/protocol.ts `instanceMessage`)

export const INSTANCE_EVENT_TYPES = [
  'instance.created',
  'instance.updated',
  'instance.deleted',
  'instance.restored',
] as const;

export const instanceEventSchema = z.object({
  type: z.enum(INSTANCE_EVENT_TYPES),
  history_id: int,
  instance_id: int,
  version: int,
  operation_timestamp: isoTimestamp,
  actor: z.string(),
  changed_fields: z.array(z.string()),
  /** Left out (with `truncated: true`) when the message would pass API Gateway's 128 KB. */
  changes: z.optional(z.record(z.string(), changeSchema)),
  instance: z.optional(snapshotSchema),
  restored_from: z.optional(int),
  operation_id: z.optional(z.string()),
  reason: z.optional(z.string()),
  copied_from: z.optional(int),
  truncated: z.optional(z.literal(true)),
});
export type InstanceEvent = z.output<typeof instanceEventSchema>;

/** To subscribers of `operation:<id>` (shared/ops/model.ts `progressMessage`). */
export const operationProgressSchema = z.extend(operationSchema, {
  type: z.literal('operation.progress'),
  operation_type: z.enum(JOB_TYPES),
});

export const wsControlMessageSchema = z.union([
  z.object({
    type: z.literal('subscribed'),
    topics: z.array(z.string()),
    replayed: z.optional(count),
    last_history_id: z.optional(int),
  }),
  z.object({ type: z.literal('unsubscribed'), topics: z.array(z.string()) }),
  z.object({ type: z.literal('pong'), time: z.optional(isoTimestamp) }),
  z.object({
    type: z.literal('error'),
    error: z.object({
      type: z.string(),
      message: z.string(),
      details: z.optional(z.record(z.string(), z.unknown())),
    }),
  }),
]);
export type WsControlMessage = z.output<typeof wsControlMessageSchema>;

// ---------------------------------------------------------------------------------------------
// Compile-time ties between these schemas and the code that builds the responses.

type Extends<A, B> = [A] extends [B] ? true : false;
type Check<T extends true> = T;

export type SchemaChecks = [
  Check<Extends<HistoryRecord, z.output<typeof historyRecordSchema>>>,
  Check<Extends<z.output<typeof historyRecordSchema>, HistoryRecord>>,
  Check<Extends<HistoryPage, z.output<typeof historyPageSchema>>>,
  Check<Extends<SearchPage, z.output<typeof historySearchPageSchema>>>,
  Check<Extends<BatchResult, z.output<typeof batchResultSchema>>>,
  Check<Extends<OperationView, z.output<typeof operationSchema>>>,
  Check<Extends<BatchComparison, z.output<typeof historyBatchComparisonSchema>>>,
  Check<
    Extends<Awaited<ReturnType<HistoryReader['compare']>>, z.output<typeof historyComparisonSchema>>
  >,
  // `most_changed_fields` / `top_actors` are built with a computed key, typed loosely there.
  Check<
    Extends<
      Omit<Awaited<ReturnType<HistoryReader['stats']>>, 'most_changed_fields' | 'top_actors'>,
      Omit<z.output<typeof historyStatsSchema>, 'most_changed_fields' | 'top_actors'>
    >
  >,
  Check<
    Extends<
      Omit<ReturnType<typeof statsView>, 'by_status' | 'by_priority'>,
      Omit<z.output<typeof instanceStatsSchema>, 'by_status' | 'by_priority'>
    >
  >,
];
