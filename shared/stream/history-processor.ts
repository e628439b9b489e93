/**
 * Instances stream → history table (+ stats). History ids are reserved in stream order and
 * records are written one after another; a failure fails that instance's later records, so
 * Lambda's retry from the lowest reported failure redelivers them (already-written records are
 * skipped: the put is conditional).
 *
 * Failures are sorted by cause. A transient one (network, throttling, a 5xx, a transaction
 * conflict) is reported to the event source mapping, which retries until the record's age
 * limit: an outage delays history but never loses it. Anything else would fail the same way
 * on every retry (a poison record), so the record is quarantined whole and the batch moves on;
 * `npm run redrive` processes it again once the cause is fixed.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '../log.ts';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { recordFromChange, statsDelta } from '../domain/history-record.ts';
import type { PendingRecord } from '../domain/history.ts';
import { isTombstone, toInstance } from '../repo/items.ts';
import type { HistoryWriter } from '../repo/history-writer.ts';
import type { Quarantine } from '../repo/quarantine.ts';
import { isTransient } from '../aws/errors.ts';
import { ID_TO_STAMP_BOUND_MS } from '../ws/resume-window.ts';

export const HISTORY_CONSUMER = 'HistoryWriter';

/** A record not written in time after its id was reserved: retried, with a new id. */
class IdReservationExpired extends Error {
  override name = 'IdReservationExpired';
}

type Image = Record<string, unknown>;
const image = (img: unknown): Image | undefined =>
  img ? (unmarshall(img as Record<string, AttributeValue>) as Image) : undefined;
const view = (img: Image | undefined) => (img && !isTombstone(img) ? toInstance(img) : {});

type Decoded =
  | { record: PendingRecord; delta: Record<string, number>; historyId?: number }
  | { poison: unknown };

/** The history record and stats delta of one stream record, or null if it is no instance change. */
function decode(r: DynamoDBRecord): Decoded | null {
  try {
    const oldImage = image(r.dynamodb?.OldImage);
    const newImage = image(r.dynamodb?.NewImage);
    const record = recordFromChange(oldImage, newImage);
    return record && { record, delta: statsDelta(view(oldImage), view(newImage)) };
  } catch (err) {
    return { poison: err };
  }
}

const describe = (err: unknown) =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

export function createHistoryHandler(writer: HistoryWriter, quarantine: Quarantine, log: Logger) {
  return async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    log.appendKeys({ aws_request_id: context.awsRequestId });
    // Decode every record first, then reserve their history ids, in stream order, with one
    // counter update: ids follow stream order however the writes below interleave.
    const decoded = new Map<string, Decoded>();
    for (const r of event.Records) {
      const d = r.dynamodb?.SequenceNumber ? decode(r) : null;
      if (d) decoded.set(r.dynamodb!.SequenceNumber!, d);
    }
    const writable = [...decoded.values()].filter((d) => 'record' in d);
    // Taken before the ids are reserved: a record is stamped within ID_TO_STAMP_BOUND_MS of it.
    const reservedAt = Date.now();
    const firstId = writable.length > 0 ? await writer.allocateIds(writable.length) : 0;
    writable.forEach((d, i) => (d.historyId = firstId + i));

    const setAside = async (r: DynamoDBRecord, err: unknown, instanceId?: number) => {
      log.error('poison record quarantined; npm run redrive processes it again', {
        error: err,
        instance_id: instanceId,
        sequence_number: r.dynamodb?.SequenceNumber,
      });
      await quarantine.put(HISTORY_CONSUMER, r, describe(err));
    };

    // One instance's records stay in order, and after a failure its later records fail too
    // (Lambda retries from the lowest reported failure).
    const previous = new Map<number, Promise<void>>();
    const recordHandler = async (r: DynamoDBRecord): Promise<void> => {
      const d = decoded.get(r.dynamodb?.SequenceNumber ?? '');
      if (!d) return; // not an instance change (e.g. a tombstone removed by hand)
      if ('poison' in d) return setAside(r, d.poison);
      const { record, delta, historyId } = d;
      const before = previous.get(record.instance_id) ?? Promise.resolve();
      const mine = before.then(async () => {
        // Resume's walk down the ids relies on this bound (shared/ws/resume-window.ts): a
        // record that would be stamped later fails, and the retry reserves a new id for it.
        if (Date.now() - reservedAt > ID_TO_STAMP_BOUND_MS) {
          log.warn('history id reserved too long ago; the stream retries with a new one', {
            instance_id: record.instance_id,
            version: record.version,
          });
          throw new IdReservationExpired();
        }
        try {
          const written = await writer.write(record, historyId!, delta);
          if (!written) {
            log.info('history record already written', {
              instance_id: record.instance_id,
              version: record.version,
            });
          }
        } catch (err) {
          if (!isTransient(err)) return setAside(r, err, record.instance_id);
          log.warn('history write failed; the stream retries it', {
            error: describe(err),
            instance_id: record.instance_id,
            version: record.version,
          });
          throw err;
        }
      });
      previous.set(record.instance_id, mine);
      return mine;
    };

    // A processor per invocation: it holds the batch's results, and the local stack runs
    // several invocations of one module at once (stream lanes), which Lambda never does.
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(event, recordHandler, processor, {
      context,
      processInParallel: false,
    });
  };
}
