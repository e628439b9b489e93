/**
 * `subscribe`: live from now, or resumed from `since_history_id` (shared/ws/resume.ts); either
 * way answered with `subscribed` and the `last_history_id` to resume from later. From now: the
 * newest id read once the subscription is live, so everything committed after the answer is
 * delivered and a later resume from that id overlaps nothing the caller needs twice.
 */
import { subscribeSchema, subscribedMessage } from '../../shared/ws/protocol.ts';
import { wsRoute } from '../../shared/ws/handler.ts';
import { ReplayReader } from '../../shared/ws/replay.ts';
import { resume } from '../../shared/ws/resume.ts';
import { tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const { client, connections, publisher } = wsDeps();
const replay = new ReplayReader(client, tableNamesFromEnv('history').history);

export const handler = wsRoute(
  { publisher, connections },
  subscribeSchema,
  async ({ connectionId, body }) => {
    const topics = [...new Set(body.topics)];
    if (body.since_history_id === undefined) {
      await connections.subscribe(connectionId, topics, true);
      const newest = await replay.newest();
      await publisher.post(
        connectionId,
        subscribedMessage(topics, { replayed: 0, last_history_id: newest }),
      );
      return;
    }
    const resumed = await resume(
      { connections, publisher, replay },
      connectionId,
      topics,
      body.since_history_id,
    );
    if (resumed) await publisher.post(connectionId, subscribedMessage(topics, resumed));
  },
);
