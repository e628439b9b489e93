/** `unsubscribe` → `unsubscribed`; topics the connection did not hold are no error. */
import { unsubscribeSchema, unsubscribedMessage } from '../../shared/ws/protocol.ts';
import { wsRoute } from '../../shared/ws/handler.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const { connections, publisher } = wsDeps();

export const handler = wsRoute(
  { publisher, connections },
  unsubscribeSchema,
  async ({ connectionId, body }) => {
    await connections.unsubscribe(connectionId, body.topics);
    await publisher.post(connectionId, unsubscribedMessage(body.topics));
  },
);
