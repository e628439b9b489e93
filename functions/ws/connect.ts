/**
 * `$connect`: verifies `?token=` when auth is on (API Gateway WebSocket APIs have no JWT
 * authorizer), then registers the connection, its principal and its `?topics=` /
 * `?instance_id=` subscriptions. A non-2xx answer refuses the upgrade.
 */
import { ANONYMOUS_PRINCIPAL, topicsFromQuery } from '../../shared/ws/protocol.ts';
import type { WsEvent, WsResult } from '../../shared/ws/handler.ts';
import { authConfigFromEnv, createVerifier } from '../../shared/auth/jwt.ts';
import { wsDeps } from '../lib/ws-deps.ts';
import { actorProblem } from '../../shared/domain/text.ts';

const { connections } = wsDeps();
const authConfig = authConfigFromEnv();
const verify = authConfig ? createVerifier(authConfig) : undefined;

export const handler = async (event: WsEvent): Promise<WsResult> => {
  const query = event.queryStringParameters ?? {};
  let sub = ANONYMOUS_PRINCIPAL;
  if (verify) {
    const claims = await verify(query.token);
    // The subject rules of HTTP (shared/http/auth.ts): it names the principal the limits count.
    if (!claims?.sub || actorProblem(claims.sub)) return { statusCode: 401, body: 'Unauthorized' };
    sub = claims.sub;
  }
  const topics = topicsFromQuery(query);
  if (!Array.isArray(topics)) return { statusCode: 400, body: topics.error };
  await connections.connect(event.requestContext.connectionId, sub, topics);
  return { statusCode: 200 };
};
