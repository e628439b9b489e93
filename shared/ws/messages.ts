/**
 * The schemas of what the server sends over the WebSocket (SPEC §5), for the OpenAPI document,
 * the client and the types of ./protocol.ts's builders. Apart from ./protocol.ts, which every
 * WebSocket Lambda bundles to parse the client's messages: a sent message is built, never
 * parsed, so these schemas (and the history record and instance schemas they are made of) stay
 * out of those bundles.
 */
import * as z from 'zod/mini';
import { changeSchema, snapshotSchema } from '../domain/history.ts';
// Type-only: the progress schema is declared with the operation view it extends.
import type { operationProgressSchema } from '../ops/view.ts';

const int = z.int();
const count = z.int().check(z.gte(0));
const isoTimestamp = z.string().check(z.iso.datetime());

export const INSTANCE_EVENT_TYPES = [
  'instance.created',
  'instance.updated',
  'instance.deleted',
  'instance.restored',
] as const;

/** To subscribers of `instances` and `instance:<id>`, one per history record. */
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

/** Answers to the client's own messages (`pong`, `subscribed`, …) and its errors. */
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
      details: z.record(z.string(), z.unknown()),
    }),
  }),
]);

export type WsControlMessage = z.output<typeof wsControlMessageSchema>;
export type InstanceEvent = z.output<typeof instanceEventSchema>;
export type OperationProgress = z.output<typeof operationProgressSchema>;
/** Everything a server sends: what shared/ws/publisher.ts posts. */
export type ServerMessage = WsControlMessage | InstanceEvent | OperationProgress;
