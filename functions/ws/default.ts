/** `$default`: anything that is not a known action gets an error message; the connection stays. */
import * as z from 'zod/mini';
import { AppError } from '../../shared/domain/errors.ts';
import { wsRoute } from '../../shared/ws/handler.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const { publisher, connections } = wsDeps();

export const handler = wsRoute({ publisher, connections }, z.unknown(), async ({ body }) => {
  const action =
    body && typeof body === 'object' ? (body as { action?: unknown }).action : undefined;
  throw new AppError(400, 'UnknownAction', `Unknown action ${JSON.stringify(action ?? null)}`, {
    actions: ['subscribe', 'unsubscribe', 'ping'],
  });
});
