/**
 * WebSocket API routes, declared once (CDK and the local server read them). Route selection
 * is `$request.body.action`; unmatched or non-JSON messages go to `$default`.
 */
import type { TableName } from './tables.ts';
import type { Access } from './tables.ts';

export interface WsRouteDef {
  readonly routeKey: string;
  readonly handler: string;
  readonly tables: Partial<Record<TableName, Access>>;
}

export const WS_ROUTE_SELECTION = '$request.body.action';
/** Local stage name: the local WebSocket URL is ws://localhost:PORT/ws. */
export const WS_STAGE = 'ws';
/** Env var holding the API Gateway Management API endpoint (https://{api}.execute-api…/{stage}). */
export const WS_ENDPOINT_ENV = 'WS_MANAGEMENT_ENDPOINT';

export const wsRoutes: readonly WsRouteDef[] = [
  { routeKey: '$connect', handler: 'ws/connect', tables: { connections: 'write' } },
  { routeKey: '$disconnect', handler: 'ws/disconnect', tables: { connections: 'write' } },
  { routeKey: '$default', handler: 'ws/default', tables: { connections: 'write' } },
  {
    routeKey: 'subscribe',
    handler: 'ws/subscribe',
    tables: { connections: 'write', history: 'write' },
  },
  { routeKey: 'unsubscribe', handler: 'ws/unsubscribe', tables: { connections: 'write' } },
  { routeKey: 'ping', handler: 'ws/ping', tables: { connections: 'write' } },
];

/**
 * The `action` values a client may send: every route but the `$` ones API Gateway raises itself
 * (a message whose action is none of these goes to `$default`).
 */
export const WS_ACTIONS: readonly string[] = actionsOf(wsRoutes);

/**
 * Marked free of side effects so a bundle that never reads WS_ACTIONS (only `$default` answers
 * with it) drops it and the route table; method calls at module scope are otherwise kept.
 */
// @__NO_SIDE_EFFECTS__
function actionsOf(routes: readonly WsRouteDef[]): string[] {
  return routes.map((r) => r.routeKey).filter((key) => !key.startsWith('$'));
}
