/** WebSocket protocol (SPEC §5): client messages as zod schemas, server messages as builders. */
import * as z from 'zod/mini';
import type { HistoryRecord } from '../domain/history.ts';

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

const EVENT_TYPE: Record<HistoryRecord['operation_type'], string> = {
  create: 'instance.created',
  update: 'instance.updated',
  delete: 'instance.deleted',
  restore: 'instance.restored',
};

/** The SPEC message for a history record; oversized payloads are trimmed and marked. */
export function instanceMessage(r: HistoryRecord): string {
  const full = {
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
  const text = JSON.stringify(full);
  if (Buffer.byteLength(text) <= MAX_MESSAGE_BYTES) return text;
  // Too large for one WebSocket message: send the header; the client fetches GET /api/history/{id}.
  const { changes: _c, instance: _i, ...header } = full;
  return JSON.stringify({ ...header, truncated: true });
}

export const errorMessage = (type: string, message: string, details?: Record<string, unknown>) =>
  JSON.stringify({ type: 'error', error: { type, message, ...(details ? { details } : {}) } });

/** The principal of a connection opened without auth (the local stack's default). */
export const ANONYMOUS_PRINCIPAL = 'anonymous';
