/** History stream → WebSocket subscribers of `instances` and `instance:<id>`. */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toRecord } from '../../shared/domain/history-query.ts';
import { instanceEventMessage, topicsOf } from '../../shared/ws/protocol.ts';
import { createLogger } from '../../shared/log.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const { connections, publisher } = wsDeps();
const logger = createLogger('Broadcaster');

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const subscribers = new Map<string, Promise<string[]>>();
  const of = (topic: string) => {
    let p = subscribers.get(topic);
    if (!p) subscribers.set(topic, (p = connections.subscribers(topic)));
    return p;
  };
  // Records go out in stream order; each record fans out concurrently.
  for (const r of event.Records) {
    if (r.eventName !== 'INSERT' || !r.dynamodb?.NewImage) continue;
    // The stored item converted as every reader converts it (field order restored).
    const record = toRecord(unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>));
    const ids = new Set((await Promise.all(topicsOf(record).map(of))).flat());
    if (ids.size === 0) continue;
    const result = await publisher.fanout([...ids], instanceEventMessage(record));
    logger.debug('broadcast', { history_id: record.history_id, ...result });
  }
  return { batchItemFailures: [] };
};
