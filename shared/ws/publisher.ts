/**
 * Posts to WebSocket connections through the API Gateway Management API (the real SDK client;
 * locally only its endpoint differs). Gone connections (410) are removed; a slow or failing
 * connection costs one bounded request and never blocks the others.
 */
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mapBounded } from '../aws/concurrency.ts';
import type { ConnectionRepository } from './connections.ts';
import type { ServerMessage } from './protocol.ts';
import { logger } from '../log.ts';

export type PostResult = 'sent' | 'gone' | 'failed';

/** Concurrent posts per fan-out. */
export const FANOUT_CONCURRENCY = 32;

export function createManagementClient(endpoint: string): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    // Two short attempts: a stuck connection must not hold up the fan-out, and a post's
    // duration is bounded (POST_DURATION_BOUND_MS, which gap-free resume relies on).
    maxAttempts: 2,
    requestHandler: { requestTimeout: 1500, connectionTimeout: 500 },
  });
}

const encode = (message: ServerMessage): Uint8Array => Buffer.from(JSON.stringify(message));

export class Publisher {
  constructor(
    private readonly client: ApiGatewayManagementApiClient,
    private readonly connections: Pick<ConnectionRepository, 'disconnect'>,
  ) {}

  /** Posts one message, built by a shared/ws/protocol.ts builder. */
  post(connectionId: string, message: ServerMessage): Promise<PostResult> {
    return this.send(connectionId, encode(message));
  }

  /** Posts one message, built by a shared/ws/protocol.ts builder, to many connections. */
  async fanout(
    connectionIds: readonly string[],
    message: ServerMessage,
  ): Promise<Record<PostResult, number>> {
    // Encoded once for every connection.
    const data = encode(message);
    const results = await mapBounded(connectionIds, FANOUT_CONCURRENCY, (id) =>
      this.send(id, data),
    );
    return {
      sent: results.filter((r) => r === 'sent').length,
      gone: results.filter((r) => r === 'gone').length,
      failed: results.filter((r) => r === 'failed').length,
    };
  }

  private async send(connectionId: string, data: Uint8Array): Promise<PostResult> {
    try {
      await this.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }),
      );
      return 'sent';
    } catch (err) {
      if (
        err instanceof GoneException ||
        (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410
      ) {
        await this.connections.disconnect(connectionId).catch(() => undefined);
        return 'gone';
      }
      logger.warn('post to connection failed', {
        connection_id: connectionId,
        error: (err as Error).name,
      });
      return 'failed';
    }
  }
}
