/**
 * History stream → WebSocket subscribers of `instances` and `instance:<id>`. A record posted
 * later than RESTAMP_AFTER_MS after its position gets its position moved forward first
 * (before its subscriber lookup, and again before each round of posts), which is what keeps
 * resume gap-free however shards and lanes interleave (shared/ws/resume-window.ts).
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toRecord } from '../../shared/domain/history-record.ts';
import type { HistoryRecord } from '../../shared/domain/history.ts';
import { instanceEventMessage, topicsOf } from '../../shared/ws/protocol.ts';
import { FANOUT_CONCURRENCY } from '../../shared/ws/publisher.ts';
import { isStale } from '../../shared/ws/resume-window.ts';
import { HistoryPositions, latest, positionsOf } from '../../shared/repo/history-position.ts';
import { tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { mapBounded } from '../../shared/aws/concurrency.ts';
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

/** Restamps and subscriber lookups made at once while a batch is prepared. */
const PREPARE_CONCURRENCY = 16;

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const subscribers = new Map<string, Promise<string[]>>();
  const of = (topic: string) => {
    let p = subscribers.get(topic);
    if (!p) subscribers.set(topic, (p = connections.subscribers(topic)));
    return p;
  };
  // The mapping retries from the first record reported, so a failure fails the rest too.
  const failFrom = (i: number, err: unknown): DynamoDBBatchResponse => {
    logger.warn('broadcast failed; the stream retries it', {
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      sequence_number: event.Records[i]?.dynamodb?.SequenceNumber,
    });
    return {
      batchItemFailures: event.Records.slice(i).map((f) => ({
        itemIdentifier: f.dynamodb?.SequenceNumber ?? '',
      })),
    };
  };
  const outgoing: (Outgoing & { at: number })[] = [];
  for (const [at, r] of event.Records.entries()) {
    if (r.eventName !== 'INSERT' || !r.dynamodb?.NewImage) continue;
    try {
      const item = unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>);
      // The stored item converted as every reader converts it (field order restored).
      outgoing.push({ at, record: toRecord(item), pos: latest(positionsOf(item)) });
    } catch (err) {
      // Nothing was posted yet: the batch is retried whole (bisected down to a poison record).
      return failFrom(outgoing[0]?.at ?? at, err);
    }
  }
  if (outgoing.length === 0) return { batchItemFailures: [] };
  // The whole batch is prepared before the first post, concurrently: stale positions moved
  // forward, then every topic's subscribers looked up (each record restamped before its
  // lookup). One at a time, a lagging broadcaster would pay a restamp and a lookup per record
  // and fall further behind the more it lags.
  try {
    await mapBounded(outgoing, PREPARE_CONCURRENCY, fresh);
    const topics = [...new Set(outgoing.flatMap((o) => topicsOf(o.record)))];
    await mapBounded(topics, PREPARE_CONCURRENCY, of);
  } catch (err) {
    return failFrom(outgoing[0]!.at, err);
  }
  // Records go out in stream order; each record fans out in rounds of concurrent posts, each
  // round on a fresh position (the batch may have taken longer than the restamp threshold).
  for (const o of outgoing) {
    try {
      const ids = [...new Set((await Promise.all(topicsOf(o.record).map(of))).flat())];
      const message = instanceEventMessage(o.record);
      for (let at = 0; at < ids.length; at += FANOUT_CONCURRENCY) {
        await fresh(o);
        const result = await publisher.fanout(ids.slice(at, at + FANOUT_CONCURRENCY), message);
        logger.debug('broadcast', { history_id: o.record.history_id, ...result });
      }
    } catch (err) {
      return failFrom(o.at, err);
    }
  }
  return { batchItemFailures: [] };
};
