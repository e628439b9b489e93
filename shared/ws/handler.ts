/**
 * `wsRoute()` wires a WebSocket message handler: JSON + zod parsing, and every failure answered
 * with `{"type":"error",…}` on the same connection, which stays open (SPEC §5).
 */
import type * as z from 'zod/mini';
import { AppError } from '../domain/errors.ts';
import { issuesToDetails } from '../domain/validation.ts';
import { logger } from '../log.ts';
import { errorMessage } from './protocol.ts';
import type { Publisher } from './publisher.ts';
import type { ConnectionRepository } from './connections.ts';

/** Messages a connection may send per minute; beyond it each message gets a Throttled error. */
export const MESSAGES_PER_MINUTE = 120;

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

export function wsRoute<S extends z.ZodMiniType>(
  { publisher, connections }: { publisher: Publisher; connections: ConnectionRepository },
  schema: S,
  fn: (msg: WsMessage<z.output<S>>) => Promise<void>,
) {
  return async (event: WsEvent): Promise<WsResult> => {
    const { connectionId } = event.requestContext;
    logger.appendKeys({ request_id: event.requestContext.requestId, connection_id: connectionId });
    try {
      if ((await connections.countMessage(connectionId)) > MESSAGES_PER_MINUTE) {
        throw new AppError(429, 'Throttled', `At most ${MESSAGES_PER_MINUTE} messages per minute`, {
          retry_after_seconds: 60 - Math.floor((Date.now() / 1000) % 60),
        });
      }
      let raw: unknown;
      try {
        raw = JSON.parse(event.body ?? '');
      } catch {
        throw new AppError(400, 'BadRequest', 'Messages must be JSON objects with an "action"');
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        throw new AppError(
          422,
          'ValidationError',
          'Invalid message',
          issuesToDetails(parsed.error.issues, raw),
        );
      }
      await fn({ connectionId, body: parsed.data, event });
    } catch (err) {
      const e =
        err instanceof AppError
          ? err
          : new AppError(500, 'InternalError', 'The message could not be processed');
      if (!(err instanceof AppError)) logger.error('websocket handler failed', { error: err });
      await publisher.post(connectionId, errorMessage(e.type, e.message, e.details));
    }
    return { statusCode: 200 };
  };
}
