/**
 * What callers see of a long-running operation (SPEC §8): its types and statuses, and the zod
 * schemas of its API view, of a page of them and of its WebSocket progress message. The schemas
 * are the single declaration of those shapes: the types are derived from them, the OpenAPI
 * document generated from them.
 *
 * Apart from model.ts because shared/ws/protocol.ts names these shapes while model.ts builds its
 * progress messages with protocol.ts: declared here, neither import closes a cycle.
 */
import * as z from 'zod/mini';

export const OPERATION_TYPES = ['bulk-update', 'bulk-delete', 'export'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export const OPERATION_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'partially_succeeded',
  'failed',
  'cancelled',
] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

const int = z.int();
const count = z.int().check(z.gte(0));
const isoTimestamp = z.string().check(z.iso.datetime());

const operationError = z.object({ type: z.string(), message: z.string() });

/** The API representation (GET, list, POST answer and WebSocket messages share it). */
export const operationSchema = z.object({
  operation_id: z.string(),
  type: z.enum(OPERATION_TYPES),
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
  request: z.looseObject({ type: z.enum(OPERATION_TYPES) }),
  cancel_requested: z.optional(z.boolean()),
  started_at: z.optional(isoTimestamp),
  finished_at: z.optional(isoTimestamp),
  /** Outcome details; an export's `download_url` is a presigned URL. */
  result: z.optional(z.record(z.string(), z.unknown())),
  /** Why the operation as a whole failed. */
  error: z.optional(operationError),
});
export type OperationView = z.output<typeof operationSchema>;

/** GET /api/operations. */
export const operationListSchema = z.object({
  items: z.array(operationSchema),
  count,
  limit: int,
  next_cursor: z.nullable(z.string()),
});

/**
 * To subscribers of `operation:<id>` (built by shared/ws/protocol.ts `operationProgressMessage`):
 * the view, except that `type` names the message and the operation's own type moves to
 * `operation_type`.
 */
export const operationProgressSchema = z.extend(operationSchema, {
  type: z.literal('operation.progress'),
  operation_type: z.enum(OPERATION_TYPES),
});
