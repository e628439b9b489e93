/**
 * `subscribe`, with optional resume (`since_history_id`). The subscription is stored hidden from
 * the broadcaster, missed records are replayed in history_id order, the subscription goes live,
 * and one last catch-up read covers records committed during the hand-off. A record can reach
 * the client twice around the hand-off, never zero times: clients dedupe by history_id.
 */
import { subscribeSchema, instanceMessage, MAX_REPLAY } from '../../shared/ws/protocol.ts';
import { wsRoute } from '../../shared/ws/handler.ts';
import { ReplayReader } from '../../shared/ws/replay.ts';
import { AppError } from '../../shared/domain/errors.ts';
import { tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const { client, connections, publisher } = wsDeps();
const replay = new ReplayReader(client, tableNamesFromEnv('history').history);

export const handler = wsRoute(
  { publisher, connections },
  subscribeSchema,
  async ({ connectionId, body }) => {
    const topics = [...new Set(body.topics)];
    const since = body.since_history_id;
    if (since === undefined) {
      await connections.subscribe(connectionId, topics, true);
      await publisher.post(connectionId, JSON.stringify({ type: 'subscribed', topics }));
      return;
    }
    await connections.subscribe(connectionId, topics, false);
    let last = since;
    let replayed = 0;
    const sendAfter = async (from: number) => {
      const records = await replay.after(from, topics, MAX_REPLAY);
      if (replayed + records.length > MAX_REPLAY) {
        await connections.setLive(connectionId, topics);
        throw new AppError(
          413,
          'ResumeTooFar',
          `More than ${MAX_REPLAY} records were missed; reload over HTTP and subscribe again`,
          {
            max_replay: MAX_REPLAY,
          },
        );
      }
      for (const r of records) {
        if ((await publisher.post(connectionId, instanceMessage(r))) !== 'sent') return false;
        last = Math.max(last, r.history_id);
        replayed++;
      }
      return true;
    };
    if (!(await sendAfter(last))) return;
    await connections.setLive(connectionId, topics);
    if (!(await sendAfter(last))) return;
    // A `since_history_id` beyond the newest record (a client from another stack, a typo) is
    // answered with the real newest id, so the client resumes from one that exists.
    const lastHistoryId = Math.min(last, await replay.newest());
    await publisher.post(
      connectionId,
      JSON.stringify({ type: 'subscribed', topics, replayed, last_history_id: lastHistoryId }),
    );
  },
);
