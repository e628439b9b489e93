/**
 * `$default`: a message whose action selects no route (shared/config/ws-routes.ts) gets an
 * UnknownAction error listing the actions there are; the connection stays.
 */
import { wsHandler } from '../../shared/ws/handler.ts';
import { unknownAction } from '../../shared/ws/protocol.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const { publisher, connections } = wsDeps();

export const handler = wsHandler({ publisher, connections }, async ({ body }) => {
  throw unknownAction(
    body && typeof body === 'object' ? (body as { action?: unknown }).action : undefined,
  );
});
