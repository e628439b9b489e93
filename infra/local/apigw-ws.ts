/**
 * Local API Gateway WebSocket API and its Management API.
 * - Upgrades at /ws become `$connect` events (non-2xx refuses the upgrade); messages are routed
 *   by `$request.body.action` to the shared WebSocket route table, else `$default`; a close is
 *   `$disconnect`. Limits copied from API Gateway: 128 KB messages, 10 min idle, 2 h per connection.
 * - `POST|GET|DELETE /@connections/{id}` (also under the /ws stage path) is the Management API,
 *   so the real ApiGatewayManagementApiClient works with only its endpoint changed; unknown ids
 *   answer 410 GoneException, an id that is not valid URL encoding 400 BadRequestException.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes, randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_ACTIONS, wsRoutes, WS_STAGE } from '../../shared/config/ws-routes.ts';
import type { WsEvent, WsResult } from '../../shared/ws/handler.ts';
import { loadHandler } from './handlers.ts';
import { lambdaContext } from './lambda-context.ts';

const MAX_MESSAGE = 128 * 1024;
const IDLE_MS = 10 * 60 * 1000;
const MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;

interface Conn {
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  idle?: NodeJS.Timeout;
  cap?: NodeJS.Timeout;
}

const handlerOf = (routeKey: string) => wsRoutes.find((r) => r.routeKey === routeKey)!.handler;
const MGMT_PATH = new RegExp(`^(?:/${WS_STAGE})?/@connections/([^/]+)$`);

export class LocalWebSocketApi {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  readonly connections = new Map<string, Conn>();

  isManagementRequest(path: string): boolean {
    return MGMT_PATH.test(path);
  }

  private event(
    routeKey: string,
    id: string,
    conn: Pick<Conn, 'sourceIp' | 'userAgent' | 'connectedAt'>,
    host: string,
    extra: Partial<WsEvent> = {},
  ): WsEvent {
    const eventType =
      routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
    return {
      requestContext: {
        routeKey,
        eventType,
        connectionId: id,
        requestId: randomUUID(),
        domainName: host,
        stage: WS_STAGE,
        ...({
          apiId: 'local',
          connectedAt: conn.connectedAt,
          requestTimeEpoch: Date.now(),
          messageDirection: 'IN',
          identity: { sourceIp: conn.sourceIp, userAgent: conn.userAgent },
        } as object),
      },
      isBase64Encoded: false,
      ...extra,
    };
  }

  private async invoke(routeKey: string, event: WsEvent): Promise<WsResult> {
    const handler = await loadHandler<WsEvent, WsResult>(handlerOf(routeKey));
    return handler(
      event,
      lambdaContext(`ws-${routeKey.replace('$', '')}`, event.requestContext.requestId),
    );
  }

  /** HTTP upgrade on /ws: `$connect` decides whether the socket opens. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const refuse = (status: number, body = '') => {
      const reason =
        status === 401
          ? 'Unauthorized'
          : status === 400
            ? 'Bad Request'
            : status >= 500
              ? 'Internal Server Error'
              : 'Forbidden';
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    };
    const id = randomBytes(12).toString('base64').replace(/[+/]/g, 'A').slice(0, 16) + '=';
    const meta = {
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
      connectedAt: Date.now(),
    };
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams)
      query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const host = req.headers.host ?? 'localhost';
    let result: WsResult;
    try {
      result = await this.invoke(
        '$connect',
        this.event('$connect', id, meta, host, { headers, queryStringParameters: query }),
      );
    } catch (err) {
      console.error('[local ws] $connect failed', err);
      return refuse(500, 'Internal Server Error');
    }
    if (result.statusCode < 200 || result.statusCode > 299)
      return refuse(result.statusCode, result.body ?? '');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(id, ws, meta, host));
  }

  private open(
    id: string,
    socket: WebSocket,
    meta: Omit<Conn, 'socket' | 'lastActiveAt'>,
    host: string,
  ): void {
    const conn: Conn = { ...meta, socket, lastActiveAt: Date.now() };
    this.connections.set(id, conn);
    const touch = () => {
      conn.lastActiveAt = Date.now();
      clearTimeout(conn.idle);
      conn.idle = setTimeout(() => socket.close(1001, 'Going away (idle timeout)'), IDLE_MS);
    };
    touch();
    conn.cap = setTimeout(
      () => socket.close(1001, 'Going away (max connection duration)'),
      MAX_CONNECTION_MS,
    );
    // Oversized frames and protocol errors close the socket (1009/1002); never the server.
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => {
      touch();
      const body = isBinary ? Buffer.from(data as Buffer).toString('base64') : data.toString();
      let action: unknown;
      try {
        action = (JSON.parse(body) as { action?: unknown }).action;
      } catch {
        action = undefined;
      }
      const routeKey =
        typeof action === 'string' && WS_ACTIONS.includes(action) ? action : '$default';
      this.invoke(
        routeKey,
        this.event(routeKey, id, conn, host, { body, isBase64Encoded: isBinary }),
      ).catch((err: unknown) => console.error(`[local ws] ${routeKey} failed`, err));
    });
    socket.on('close', (code, reason) => {
      clearTimeout(conn.idle);
      clearTimeout(conn.cap);
      this.connections.delete(id);
      const event = this.event('$disconnect', id, conn, host, {});
      Object.assign(event.requestContext, {
        disconnectStatusCode: code,
        disconnectReason: reason.toString(),
      });
      this.invoke('$disconnect', event).catch((err: unknown) =>
        console.error('[local ws] $disconnect failed', err),
      );
    });
  }

  /** The Management API: POST sends, GET describes, DELETE closes. */
  async handleManagement(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let id: string;
    try {
      id = decodeURIComponent(MGMT_PATH.exec(url.pathname)?.[1] ?? '');
    } catch {
      // A malformed escape (`%ZZ`) is the caller's error, as API Gateway answers it: 400.
      res.writeHead(400, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'BadRequestException',
      });
      res.end(JSON.stringify({ message: 'Invalid connectionId: not a valid URL-encoded path' }));
      return;
    }
    const conn = this.connections.get(id);
    const gone = () => {
      res.writeHead(410, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'GoneException',
      });
      res.end(JSON.stringify({ message: `Connection ${id} is gone` }));
    };
    if (!conn || conn.socket.readyState !== conn.socket.OPEN) return gone();
    switch (req.method) {
      case 'POST': {
        const data = Buffer.concat(chunks);
        if (data.length > MAX_MESSAGE) {
          res.writeHead(413, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'PayloadTooLargeException',
          });
          res.end(JSON.stringify({ message: 'Message too large' }));
          return;
        }
        conn.socket.send(data.toString('utf8'));
        conn.lastActiveAt = Date.now();
        res.writeHead(200);
        res.end();
        return;
      }
      case 'GET':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ConnectedAt: new Date(conn.connectedAt).toISOString(),
            LastActiveAt: new Date(conn.lastActiveAt).toISOString(),
            Identity: { SourceIp: conn.sourceIp, UserAgent: conn.userAgent },
          }),
        );
        return;
      case 'DELETE':
        conn.socket.close(1000, 'Closed by the server');
        res.writeHead(204);
        res.end();
        return;
      default:
        res.writeHead(405, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Method not allowed' }));
    }
  }

  async close(): Promise<void> {
    for (const conn of this.connections.values()) conn.socket.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}
