/** `ping` → `{"type":"pong"}`: API Gateway has no protocol-level ping; clients use this against the idle timeout. */
import { pingSchema, pongMessage } from '../../shared/ws/protocol.ts';
import { wsRoute } from '../../shared/ws/handler.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const { publisher, connections } = wsDeps();

export const handler = wsRoute({ publisher, connections }, pingSchema, async ({ connectionId }) => {
  await publisher.post(connectionId, pongMessage());
});
