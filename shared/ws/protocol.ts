/**
 * WebSocket protocol (SPEC §5): client → server messages as zod schemas, server → client
 * messages as schemas and the builders every sent message comes from. Each builder's return
 * type is its schema's output, so a message that drifts from what the OpenAPI document and the
 * client read fails `tsc`.
 */
import * as z from 'zod/mini';
import { AppError, errorObject } from '../domain/errors.ts';
import { WS_ACTIONS } from '../config/ws-routes.ts';
import { changeSchema, snapshotSchema, type HistoryRecord } from '../domain/history.ts';
// Type-only: shared/ops/model.ts builds its progress messages here, so this module takes nothing
// from shared/ops at run time; the progress schema is declared with the operation view it extends.
import type { OperationView, operationProgressSchema } from '../ops/view.ts';

export const TOPIC = /^(instances|instance:[1-9]\d{0,14}|operation:[\w-]{1,64})$/;
/** Topics in one subscribe / unsubscribe message (and in a `$connect` query). */
export const MAX_TOPICS = 50;
/**
 * Topics one connection may hold at once. The connection item lists them (so `$disconnect` can
 * delete their rows), which bounds that item far below DynamoDB's 400 KB; a client that wants
 * more opens another connection or subscribes to `instances`.
 */
export const MAX_TOPICS_PER_CONNECTION = 100;
/** API Gateway's WebSocket message limit is 128 KB; stay under it with room for framing. */
export const MAX_MESSAGE_BYTES = 120 * 1024;
/** At most this many records are replayed on resume; beyond it the client must reload. */
export const MAX_REPLAY = 1000;

const topics = z
  .array(
    z.string().check(z.regex(TOPIC, 'must be "instances", "instance:<id>" or "operation:<id>"')),
  )
  .check(z.minLength(1), z.maxLength(MAX_TOPICS));

export const subscribeSchema = z.strictObject({
  action: z.literal('subscribe'),
  topics,
  since_history_id: z.optional(z.int().check(z.gte(0))),
});
export const unsubscribeSchema = z.strictObject({ action: z.literal('unsubscribe'), topics });
export const pingSchema = z.object({ action: z.literal('ping') });

export type SubscribeMessage = z.input<typeof subscribeSchema>;
export type UnsubscribeMessage = z.input<typeof unsubscribeSchema>;
export type PingMessage = z.input<typeof pingSchema>;
export type ClientMessage = SubscribeMessage | UnsubscribeMessage | PingMessage;

/** A message whose `action` selects no route (`$default`): the connection stays open. */
export const unknownAction = (action: unknown) =>
  new AppError(400, 'UnknownAction', `Unknown action ${JSON.stringify(action ?? null)}`, {
    actions: [...WS_ACTIONS],
  });

/** Topics a `$connect` asks for through `?topics=a,b` and `?instance_id=1&instance_id=2`. */
export function topicsFromQuery(
  query: Record<string, string | undefined>,
): string[] | { error: string } {
  const wanted = new Set<string>();
  for (const t of (query.topics ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean))
    wanted.add(t);
  for (const id of (query.instance_id ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean))
    wanted.add(`instance:${id}`);
  const bad = [...wanted].filter((t) => !TOPIC.test(t));
  if (bad.length) return { error: `invalid topic(s): ${bad.join(', ')}` };
  if (wanted.size > MAX_TOPICS) return { error: `at most ${MAX_TOPICS} topics` };
  return [...wanted];
}

export const topicsOf = (r: Pick<HistoryRecord, 'instance_id' | 'operation_id'>): string[] => [
  'instances',
  `instance:${r.instance_id}`,
];

// ---------------------------------------------------------------------------------------------
// Server → client messages

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
      details: z.optional(z.record(z.string(), z.unknown())),
    }),
  }),
]);

export type WsControlMessage = z.output<typeof wsControlMessageSchema>;
export type InstanceEvent = z.output<typeof instanceEventSchema>;
export type OperationProgress = z.output<typeof operationProgressSchema>;
/** Everything a server sends: what shared/ws/publisher.ts posts. */
export type ServerMessage = WsControlMessage | InstanceEvent | OperationProgress;

type Control<T extends WsControlMessage['type']> = Extract<WsControlMessage, { type: T }>;
/** What a resumed subscription reports in its `subscribed` answer. */
export type Resumed = Required<Pick<Control<'subscribed'>, 'replayed' | 'last_history_id'>>;

export const subscribedMessage = (topics: string[], resumed?: Resumed): Control<'subscribed'> => ({
  type: 'subscribed',
  topics,
  ...resumed,
});

export const unsubscribedMessage = (topics: string[]): Control<'unsubscribed'> => ({
  type: 'unsubscribed',
  topics,
});

export const pongMessage = (now = new Date()): Control<'pong'> => ({
  type: 'pong',
  time: now.toISOString(),
});

/** An error, as the same error object an HTTP error body carries (without the request id). */
export const errorMessage = (err: AppError): Control<'error'> => ({
  type: 'error',
  error: errorObject(err),
});

const EVENT_TYPE: Record<HistoryRecord['operation_type'], InstanceEvent['type']> = {
  create: 'instance.created',
  update: 'instance.updated',
  delete: 'instance.deleted',
  restore: 'instance.restored',
};

/** The SPEC message for a history record; oversized payloads are trimmed and marked. */
export function instanceEventMessage(r: HistoryRecord): InstanceEvent {
  const full: InstanceEvent = {
    type: EVENT_TYPE[r.operation_type],
    history_id: r.history_id,
    instance_id: r.instance_id,
    version: r.version,
    operation_timestamp: r.operation_timestamp,
    actor: r.actor,
    changed_fields: r.changed_fields,
    changes: r.changes,
    instance: r.snapshot,
    ...(r.restored_from !== undefined ? { restored_from: r.restored_from } : {}),
    ...(r.operation_id !== undefined ? { operation_id: r.operation_id } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.copied_from !== undefined ? { copied_from: r.copied_from } : {}),
  };
  if (Buffer.byteLength(JSON.stringify(full)) <= MAX_MESSAGE_BYTES) return full;
  // Too large for one WebSocket message: send the header; the client fetches GET /api/history/{id}.
  const { changes: _c, instance: _i, ...header } = full;
  return { ...header, truncated: true };
}

/**
 * A progress message for subscribers of `operation:<id>`: the GET fields, except that `type`
 * names the message (SPEC §5 style) and the operation's own type moves to `operation_type`.
 */
export const operationProgressMessage = (view: OperationView): OperationProgress => ({
  ...view,
  type: 'operation.progress',
  operation_type: view.type,
});

/** The principal of a connection opened without auth (the local stack's default). */
export const ANONYMOUS_PRINCIPAL = 'anonymous';
