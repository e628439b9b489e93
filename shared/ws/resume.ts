/**
 * Resume (`since_history_id`, SPEC §5). The subscription is stored hidden from the broadcaster,
 * missed records are replayed in history_id order, the subscription goes live, and one last
 * catch-up read covers records committed during the hand-off. A record can reach the client
 * twice around the hand-off, never zero times: clients dedupe by history_id.
 */
import { AppError } from '../domain/errors.ts';
import { instanceEventMessage, MAX_REPLAY, type Resumed } from './protocol.ts';
import type { ConnectionRepository } from './connections.ts';
import type { Publisher } from './publisher.ts';
import type { ReplayReader } from './replay.ts';

export interface ResumeDeps {
  connections: Pick<ConnectionRepository, 'subscribe' | 'setLive'>;
  publisher: Pick<Publisher, 'post'>;
  replay: Pick<ReplayReader, 'after' | 'newest'>;
}

export const resumeTooFar = () =>
  new AppError(
    413,
    'ResumeTooFar',
    `More than ${MAX_REPLAY} records were missed; reload over HTTP and subscribe again`,
    { max_replay: MAX_REPLAY },
  );

/**
 * Subscribes `connectionId` to `topics` from `since` on. Returns what the `subscribed` answer
 * reports, or undefined when the connection stopped taking messages during the replay (there is
 * no one left to answer). Past MAX_REPLAY missed records the subscription goes live without
 * them and ResumeTooFar is thrown: the client reloads over HTTP.
 */
export async function resume(
  { connections, publisher, replay }: ResumeDeps,
  connectionId: string,
  topics: string[],
  since: number,
): Promise<Resumed | undefined> {
  await connections.subscribe(connectionId, topics, false);
  let last = since;
  let replayed = 0;
  /** Sends the records after `from`; false when the connection did not take one. */
  const sendAfter = async (from: number): Promise<boolean> => {
    const records = await replay.after(from, topics, MAX_REPLAY);
    if (replayed + records.length > MAX_REPLAY) {
      await connections.setLive(connectionId, topics);
      throw resumeTooFar();
    }
    for (const r of records) {
      if ((await publisher.post(connectionId, instanceEventMessage(r))) !== 'sent') return false;
      last = Math.max(last, r.history_id);
      replayed++;
    }
    return true;
  };
  if (!(await sendAfter(last))) return undefined;
  await connections.setLive(connectionId, topics);
  if (!(await sendAfter(last))) return undefined;
  // A `since_history_id` beyond the newest record (a client from another stack, a typo) is
  // answered with the real newest id, so the client resumes from one that exists.
  return { replayed, last_history_id: Math.min(last, await replay.newest()) };
}
