/**
 * Resume (`since_history_id`, SPEC §5). The subscription is stored hidden from the broadcaster,
 * missed records are replayed in history_id order, the subscription goes live, and one last
 * catch-up read covers records committed during the hand-off. What is replayed is read by
 * position, not only by id (replay.ts, resume-window.ts), so a record with a lower id that was
 * posted after the one the client sends is replayed too. A record can reach the client twice,
 * never zero times: clients dedupe by history_id.
 */
import { AppError } from '../domain/errors.ts';
import { instanceEventMessage, MAX_REPLAY, type Resumed } from './protocol.ts';
import { MAX_OVERLAP } from './resume-window.ts';
import type { ConnectionRepository } from './connections.ts';
import type { Publisher } from './publisher.ts';
import type { ReplayReader } from './replay.ts';

export interface ResumeDeps {
  connections: Pick<ConnectionRepository, 'subscribe' | 'setLive'>;
  publisher: Pick<Publisher, 'post'>;
  replay: Pick<ReplayReader, 'start' | 'after' | 'newest'> & {
    positions: Pick<ReplayReader['positions'], 'restamp'>;
  };
  now?: () => number;
}

export const resumeTooFar = () =>
  new AppError(
    413,
    'ResumeTooFar',
    `More than ${MAX_REPLAY} records were missed (or ${MAX_OVERLAP} in the overlap before the one resumed from); reload over HTTP and subscribe again`,
    { max_replay: MAX_REPLAY, max_overlap: MAX_OVERLAP },
  );

/**
 * Subscribes `connectionId` to `topics` from `since` on. Returns what the `subscribed` answer
 * reports, or undefined when the connection stopped taking messages during the replay (there is
 * no one left to answer). Past MAX_REPLAY missed records the subscription goes live without
 * them and ResumeTooFar is thrown: the client reloads over HTTP.
 */
export async function resume(
  { connections, publisher, replay, now = Date.now }: ResumeDeps,
  connectionId: string,
  topics: string[],
  since: number,
): Promise<Resumed | undefined> {
  await connections.subscribe(connectionId, topics, false);
  const from = await replay.start(since);
  const sent = new Set<number>();
  /** Sent records counted apart: newer than `since` (MAX_REPLAY), and the overlap below it. */
  let newerSent = 0;
  let overlapSent = 0;
  let last = since;
  /**
   * Sends what the replay finds that this connection was not sent yet; false when the
   * connection did not take one. A record sent once live messages can flow (`live`: the
   * catch-up, a few records committed during the hand-off) has its position moved to now
   * first, as the broadcaster does for a late record, so a later resume still finds it.
   */
  const send = async (live: boolean): Promise<boolean> => {
    const records = await replay.after(from, topics, MAX_REPLAY, sent);
    const newer = records.filter((r) => r.history_id > since).length;
    if (newerSent + newer > MAX_REPLAY || overlapSent + records.length - newer > MAX_OVERLAP) {
      await connections.setLive(connectionId, topics);
      throw resumeTooFar();
    }
    for (const r of records) {
      if (live) {
        await replay.positions.restamp({ instance_id: r.instance_id, version: r.version }, now());
      }
      if ((await publisher.post(connectionId, instanceEventMessage(r))) !== 'sent') return false;
      sent.add(r.history_id);
      if (r.history_id > since) newerSent++;
      else overlapSent++;
      last = Math.max(last, r.history_id);
    }
    return true;
  };
  if (!(await send(false))) return undefined;
  await connections.setLive(connectionId, topics);
  if (!(await send(true))) return undefined;
  // A `since_history_id` beyond the newest record (a client from another stack, a typo) is
  // answered with the real newest id, so the client resumes from one that exists.
  return { replayed: sent.size, last_history_id: Math.min(last, await replay.newest()) };
}
