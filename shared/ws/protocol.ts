/**
 * WebSocket protocol (SPEC §5): the client's messages (schemas in ./client/), topics,
 * limits, and the builders every server → client message comes from. Free of zod schemas
 * itself: the stream consumers and `$connect` / `$disconnect`, which parse no client message,
 * bundle none. Each builder's return type is its schema's output (./messages.ts), so a message
 * that drifts from what the OpenAPI document and the client read fails `tsc`.
 */
import { AppError, errorObject } from '../domain/errors.ts';
import { WS_ACTIONS } from '../config/ws-routes.ts';
import type { HistoryRecord } from '../domain/history.ts';
// Type-only: shared/ops/model.ts builds its progress messages here, so this module takes nothing
// from shared/ops at run time.
import type { OperationView } from '../ops/view.ts';
import type { InstanceEvent, OperationProgress, WsControlMessage } from './messages.ts';
import { MAX_TOPICS, TOPIC } from './topics.ts';
import type { PingMessage } from './client/ping.ts';
import type { SubscribeMessage } from './client/subscribe.ts';
import type { UnsubscribeMessage } from './client/unsubscribe.ts';

export { MAX_TOPICS, TOPIC } from './topics.ts';

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

// The client → server messages, parsed by zod schemas in ./client/, one module per message:
// every schema built at module scope is code a bundle must keep, so each WebSocket Lambda
// bundles only the schema of the message it parses (and the stream consumers, `$connect` and
// `$disconnect` none).
export { pingSchema, type PingMessage } from './client/ping.ts';
export { subscribeSchema, type SubscribeMessage } from './client/subscribe.ts';
export { unsubscribeSchema, type UnsubscribeMessage } from './client/unsubscribe.ts';
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
// Server → client messages: their schemas are in ./messages.ts, the builders here.

export {
  INSTANCE_EVENT_TYPES,
  instanceEventSchema,
  wsControlMessageSchema,
  type InstanceEvent,
  type OperationProgress,
  type ServerMessage,
  type WsControlMessage,
} from './messages.ts';

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
