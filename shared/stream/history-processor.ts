/**
 * Instances stream → history table (+ stats). History ids are reserved in stream order and
 * records are written one after another; a failure fails that instance's later records, so
 * Lambda's retry from the lowest reported failure redelivers them (already-written records are
 * skipped: the put is conditional). Writing instances concurrently was tried and reverted: a
 * resume test then saw history ids out of commit order under load (see the closing note).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { recordFromChange, statsDelta, type PendingRecord } from '../domain/history.ts';
import { isTombstone, toInstance } from '../repo/items.ts';
import type { HistoryWriter } from '../repo/history-writer.ts';
import { logger } from '../log.ts';

type Image = Record<string, unknown>;
const image = (img: unknown): Image | undefined =>
  img ? (unmarshall(img as Record<string, AttributeValue>) as Image) : undefined;
const view = (img: Image | undefined) => (img && !isTombstone(img) ? toInstance(img) : {});

interface Prepared {
  record: PendingRecord;
  delta: Record<string, number>;
  historyId: number;
}

export function createHistoryHandler(writer: HistoryWriter) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    // Decode every record first, then reserve their history ids, in stream order, with one
    // counter update: ids follow commit order however the writes below interleave.
    const decoded: { seq: string; record: PendingRecord; delta: Record<string, number> }[] = [];
    for (const r of event.Records) {
      const oldImage = image(r.dynamodb?.OldImage);
      const newImage = image(r.dynamodb?.NewImage);
      const record = recordFromChange(oldImage, newImage);
      if (record && r.dynamodb?.SequenceNumber) {
        decoded.push({
          seq: r.dynamodb.SequenceNumber,
          record,
          delta: statsDelta(view(oldImage), view(newImage)),
        });
      }
    }
    const firstId = decoded.length > 0 ? await writer.allocateIds(decoded.length) : 0;
    const prepared = new Map<string, Prepared>(
      decoded.map((d, i) => [d.seq, { record: d.record, delta: d.delta, historyId: firstId + i }]),
    );

    // One instance's records stay in order, and after a failure its later records fail too
    // (Lambda retries from the lowest reported failure).
    const previous = new Map<number, Promise<void>>();
    const recordHandler = (r: DynamoDBRecord): Promise<void> => {
      const p = prepared.get(r.dynamodb?.SequenceNumber ?? '');
      if (!p) return Promise.resolve(); // not an instance change (e.g. a tombstone removed by hand)
      const before = previous.get(p.record.instance_id) ?? Promise.resolve();
      const mine = before.then(async () => {
        try {
          const written = await writer.write(p.record, p.historyId, p.delta);
          if (!written) {
            logger.info('history record already written', {
              instance_id: p.record.instance_id,
              version: p.record.version,
            });
          }
        } catch (err) {
          logger.error('history write failed', {
            error: err,
            instance_id: p.record.instance_id,
            version: p.record.version,
          });
          throw err;
        }
      });
      previous.set(p.record.instance_id, mine);
      return mine;
    };

    return processPartialResponse(event, recordHandler, processor, {
      context,
      processInParallel: false,
    });
  };
}
