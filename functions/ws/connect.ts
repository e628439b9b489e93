/** `$connect`: registers the connection and its `?topics=` / `?instance_id=` subscriptions. */
import { topicsFromQuery } from '../../shared/ws/protocol.ts';
import type { WsEvent, WsResult } from '../../shared/ws/handler.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const { connections } = wsDeps();

export const handler = async (event: WsEvent): Promise<WsResult> => {
  const topics = topicsFromQuery(event.queryStringParameters ?? {});
  if (!Array.isArray(topics)) return { statusCode: 400, body: topics.error };
  const sub = String(event.requestContext.authorizer?.principalId ?? 'anonymous');
  await connections.connect(event.requestContext.connectionId, sub, topics);
  return { statusCode: 200 };
};
