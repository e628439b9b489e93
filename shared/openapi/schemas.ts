/**
 * Response and message schemas for the OpenAPI document and the typed client, in one place.
 * Request schemas live with the handlers that validate them (shared/domain, shared/repo/batch.ts).
 * Every shape with code that builds it is declared once, as a zod schema beside that code, which
 * derives its types from it (shared/domain/instance.ts, history.ts, diff.ts, shared/repo/batch.ts,
 * shared/ops/view.ts, shared/ws/messages.ts); they are re-exported here. The rest, shapes no
 * module of ours builds through a type, are declared here or, when a route answers with them,
 * in a small module of their kind (below).
 *
 * Only the OpenAPI document, the client (types only) and tests import this module: a route
 * definition imports its response schema from where it is declared, so its Lambda does not
 * bundle every schema re-exported here.
 */
import * as z from 'zod/mini';

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
/**
 * The answers of single routes that no module builds through a type, declared beside the route
 * kinds they belong to: a route definition (its response schemas included) is bundled into its
 * Lambda, so each route imports its schema from a module with little else in it.
 */
export { healthSchema, livenessSchema, openApiDocumentSchema } from './meta-schemas.ts';
export { deleteResultSchema, instanceListSchema } from './instance-responses.ts';
export { historyExportSchema } from './history-responses.ts';
/** Long-running operations (SPEC §8, shared/ops/model.ts `toView`). */
export { operationListSchema, operationProgressSchema, operationSchema } from '../ops/view.ts';
/** WebSocket server → client messages (SPEC §5), with the client → server ones. */
export {
  INSTANCE_EVENT_TYPES,
  instanceEventSchema,
  wsControlMessageSchema,
  type InstanceEvent,
  type WsControlMessage,
} from '../ws/messages.ts';

/**
 * The SPEC error shape every handler renders (shared/http/middleware.ts `errorResponse`), with
 * `message` repeated at the top level, where API Gateway's own error bodies have it.
 */
export const errorSchema = z.object({
  error: z.object({
    type: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
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
