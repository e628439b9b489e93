/**
 * History stream → WebSocket subscribers of `instances` and `instance:<id>`. A record posted
 * later than RESTAMP_AFTER_MS after its position gets its position moved forward first
 * (before its subscriber lookup, and again before each round of posts), which is what keeps
 * resume gap-free however shards and lanes interleave (shared/ws/resume-window.ts).
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toRecord } from '../../shared/domain/history-query.ts';
import type { HistoryRecord } from '../../shared/domain/history.ts';
import { instanceEventMessage, topicsOf } from '../../shared/ws/protocol.ts';
import { FANOUT_CONCURRENCY } from '../../shared/ws/publisher.ts';
import { isStale } from '../../shared/ws/resume-window.ts';
import { HistoryPositions, latest, positionsOf } from '../../shared/repo/history-position.ts';
import { tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { createLogger } from '../../shared/log.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const { client, connections, publisher } = wsDeps();
const positions = new HistoryPositions(client, tableNamesFromEnv('history').history);
const logger = createLogger('Broadcaster');

interface Outgoing {
  record: HistoryRecord;
  pos: number | undefined;
}

/** Moves a stale position to now, before a lookup or a round of posts that relies on it. */
async function fresh(o: Outgoing): Promise<void> {
  const now = Date.now();
  if (!isStale(o.pos, now)) return;
  o.pos = await positions.restamp(
    { instance_id: o.record.instance_id, version: o.record.version },
    now,
  );
}

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const subscribers = new Map<string, Promise<string[]>>();
  const of = (topic: string) => {
    let p = subscribers.get(topic);
    if (!p) subscribers.set(topic, (p = connections.subscribers(topic)));
    return p;
  };
  // Records go out in stream order; each record fans out in rounds of concurrent posts. A
  // failure (the database, for a lookup or a restamp) fails that record and the rest: the
  // mapping retries from it, so no subscriber silently misses a record.
  for (const [i, r] of event.Records.entries()) {
    if (r.eventName !== 'INSERT' || !r.dynamodb?.NewImage) continue;
    try {
      const item = unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>);
      // The stored item converted as every reader converts it (field order restored).
      const o: Outgoing = { record: toRecord(item), pos: latest(positionsOf(item)) };
      await fresh(o);
      const ids = [...new Set((await Promise.all(topicsOf(o.record).map(of))).flat())];
      const message = instanceEventMessage(o.record);
      for (let at = 0; at < ids.length; at += FANOUT_CONCURRENCY) {
        if (at > 0) await fresh(o);
        const result = await publisher.fanout(ids.slice(at, at + FANOUT_CONCURRENCY), message);
        logger.debug('broadcast', { history_id: o.record.history_id, ...result });
      }
    } catch (err) {
      logger.warn('broadcast failed; the stream retries it', {
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        sequence_number: r.dynamodb.SequenceNumber,
      });
      return {
        batchItemFailures: event.Records.slice(i).map((f) => ({
          itemIdentifier: f.dynamodb?.SequenceNumber ?? '',
        })),
      };
    }
  }
  return { batchItemFailures: [] };
};
