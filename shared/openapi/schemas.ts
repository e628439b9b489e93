/**
 * Response and message schemas for the OpenAPI document and the typed client, in one place.
 * Request schemas live with the handlers that validate them (shared/domain, shared/repo/batch.ts).
 * Every shape with code that builds it is declared once, as a zod schema beside that code, which
 * derives its types from it (shared/domain/instance.ts, history.ts, diff.ts, shared/repo/batch.ts,
 * shared/ops/view.ts, shared/ws/protocol.ts); they are re-exported here. The rest, shapes no
 * module of ours builds through a type, are declared here.
 *
 * Only the OpenAPI route and the client (types only) import this module.
 */
import * as z from 'zod/mini';
import { instanceSchema } from '../domain/instance.ts';
import { historyRecordSchema } from '../domain/history.ts';

export { instanceSchema } from '../domain/instance.ts';
export { differenceSchema } from '../domain/diff.ts';
export {
  historyBatchComparisonSchema,
  historyComparisonSchema,
  historyPageSchema,
  historyRecordSchema,
  historySearchPageSchema,
  historyStatsSchema,
  instanceStatsSchema,
  snapshotSchema,
} from '../domain/history.ts';
export { batchResultSchema } from '../repo/batch.ts';
/** Long-running operations (SPEC §8, shared/ops/model.ts `toView`). */
export { operationListSchema, operationProgressSchema, operationSchema } from '../ops/view.ts';
/** WebSocket server → client messages (SPEC §5), with the client → server ones. */
export {
  INSTANCE_EVENT_TYPES,
  instanceEventSchema,
  wsControlMessageSchema,
  type InstanceEvent,
  type WsControlMessage,
} from '../ws/protocol.ts';

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
