/** `$disconnect`: removes the connection and its subscriptions. */
import type { WsEvent, WsResult } from '../../shared/ws/handler.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const { connections } = wsDeps();

export const handler = async (event: WsEvent): Promise<WsResult> => {
  await connections.disconnect(event.requestContext.connectionId);
  return { statusCode: 200 };
};
