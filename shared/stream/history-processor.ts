/**
 * Instances stream → history table (+ stats). Records are handled in stream order; after the
 * first failure the rest of the batch is reported failed without being processed, so Lambda
 * retries from that record and history ids stay in commit order per instance (the way
 * Powertools' FIFO processor treats ordered sources).
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
}

export function createHistoryHandler(writer: HistoryWriter) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    // Decode every record first and reserve their history ids with one counter update.
    const prepared = new Map<string, Prepared>();
    for (const r of event.Records) {
      const oldImage = image(r.dynamodb?.OldImage);
      const newImage = image(r.dynamodb?.NewImage);
      const record = recordFromChange(oldImage, newImage);
      if (record && r.dynamodb?.SequenceNumber) {
        prepared.set(r.dynamodb.SequenceNumber, {
          record,
          delta: statsDelta(view(oldImage), view(newImage)),
        });
      }
    }
    let nextId = prepared.size > 0 ? await writer.allocateIds(prepared.size) : 0;
    let failed = false;

    const recordHandler = async (r: DynamoDBRecord) => {
      if (failed) throw new Error('not processed: an earlier record of this ordered batch failed');
      const p = prepared.get(r.dynamodb?.SequenceNumber ?? '');
      if (!p) return; // not an instance change (e.g. a tombstone removed by hand)
      try {
        const written = await writer.write(p.record, nextId++, p.delta);
        if (!written) {
          logger.info('history record already written', {
            instance_id: p.record.instance_id,
            version: p.record.version,
          });
        }
      } catch (err) {
        failed = true;
        logger.error('history write failed', {
          error: err,
          instance_id: p.record.instance_id,
          version: p.record.version,
        });
        throw err;
      }
    };

    return processPartialResponse(event, recordHandler, processor, {
      context,
      processInParallel: false,
    });
  };
}
