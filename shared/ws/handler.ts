/**
 * `wsRoute()` wires a WebSocket message handler: the message limits, JSON and zod parsing (the
 * same `parseBody` and error factories as HTTP), and every failure answered with
 * `{"type":"error",…}` on the same connection, which stays open (SPEC §5).
 */
import type * as z from 'zod/mini';
import { AppError, badRequest, internalError, throttled } from '../domain/errors.ts';
import { parseBody, rejectProtoKeys } from '../domain/validation.ts';
import { logger } from '../log.ts';
import { ANONYMOUS_PRINCIPAL, errorMessage } from './protocol.ts';
import type { Publisher } from './publisher.ts';
import type { ConnectionRepository } from './connections.ts';

/** Messages a connection may send per minute; beyond it each message gets a Throttled error. */
export const MESSAGES_PER_MINUTE = 120;
/**
 * Messages all connections of one principal (JWT `sub`; not counted with auth off)
 * may send per minute together: opening more connections must not multiply a user's rate. Two
 * connections' worth; a client pings every 30 s, so a user's many tabs stay far below it.
 */
export const MESSAGES_PER_PRINCIPAL_PER_MINUTE = 240;

/** Over a per-minute limit: retry when the counting minute turns. */
const overLimit = (scope: 'connection' | 'principal', limit: number, message: string) => {
  const retryAfter = 60 - Math.floor((Date.now() / 1000) % 60);
  return throttled(retryAfter, message, {
    scope,
    limit_per_minute: limit,
    retry_after_seconds: retryAfter,
  });
};

/** The parts of an API Gateway WebSocket event the handlers use. */
export interface WsEvent {
  requestContext: {
    routeKey: string;
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    connectionId: string;
    requestId: string;
    domainName: string;
    stage: string;
    authorizer?: Record<string, unknown>;
  };
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string;
  isBase64Encoded?: boolean;
}

export interface WsResult {
  statusCode: number;
  body?: string;
}

export interface WsMessage<T> {
  connectionId: string;
  body: T;
  event: WsEvent;
}

const notAnObject = () => badRequest('Messages must be JSON objects with an "action"');

export interface WsRouteDeps {
  publisher: Pick<Publisher, 'post'>;
  connections: Pick<ConnectionRepository, 'countMessage' | 'countPrincipalMessage'>;
}

/** A route's handler: its message parsed with `schema` (422 naming each bad field otherwise). */
export function wsRoute<S extends z.ZodMiniType>(
  deps: WsRouteDeps,
  schema: S,
  fn: (msg: WsMessage<z.output<S>>) => Promise<void>,
) {
  return wsHandler(deps, (msg) => {
    // As over HTTP: a parsed `__proto__` key would be assigned away before the schema sees it.
    rejectProtoKeys(msg.body);
    return fn({ ...msg, body: parseBody(schema, msg.body) });
  });
}

/**
 * A handler that takes any JSON object (`$default`, where it may name no known action or none).
 * Limits, JSON syntax and error answers as in `wsRoute`.
 */
export function wsHandler(
  { publisher, connections }: WsRouteDeps,
  fn: (msg: WsMessage<unknown>) => Promise<void>,
) {
  return async (event: WsEvent): Promise<WsResult> => {
    const { connectionId } = event.requestContext;
    logger.appendKeys({ request_id: event.requestContext.requestId, connection_id: connectionId });
    try {
      // The connection's own limit first: a connection over it does not use up its
      // principal's budget, which the principal's other connections still share.
      const { count, sub } = await connections.countMessage(connectionId);
      if (count > MESSAGES_PER_MINUTE)
        throw overLimit(
          'connection',
          MESSAGES_PER_MINUTE,
          `At most ${MESSAGES_PER_MINUTE} messages per minute on one connection`,
        );
      // Without auth (the local stack's default) there is no principal to count: every
      // connection would share one budget, whoever opened it.
      if (
        sub !== ANONYMOUS_PRINCIPAL &&
        (await connections.countPrincipalMessage(sub)) > MESSAGES_PER_PRINCIPAL_PER_MINUTE
      )
        throw overLimit(
          'principal',
          MESSAGES_PER_PRINCIPAL_PER_MINUTE,
          `At most ${MESSAGES_PER_PRINCIPAL_PER_MINUTE} messages per minute across all connections of one user`,
        );
      let body: unknown;
      try {
        body = JSON.parse(event.body ?? '');
      } catch {
        throw notAnObject();
      }
      // `[1,2]`, `42` or `null` name no action: the shape is wrong, not the action.
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw notAnObject();
      await fn({ connectionId, body, event });
    } catch (err) {
      if (!(err instanceof AppError)) logger.error('websocket handler failed', { error: err });
      const e = err instanceof AppError ? err : internalError('The message could not be processed');
      await publisher.post(connectionId, errorMessage(e));
    }
    return { statusCode: 200 };
  };
}
