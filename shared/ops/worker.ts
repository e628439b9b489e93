/**
 * Operations stream → work. Each record is first announced to the subscribers of
 * `operation:<id>` (the state in its new image, so messages follow commit order and progress
 * never goes backwards), then, if it is the operation's latest checkpoint (its INSERT or a
 * change of `next_chunk`) and the operation is still active, the chunk it points at runs. The
 * step's own checkpoint is the next record: the chain needs no queue and no scheduler, and a
 * worker that dies mid-chunk is handed the same record again (stream retry) and resumes.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '../log.ts';
import {
  isTerminal,
  operationTopic,
  progressMessage,
  toView,
  type OperationItem,
} from './model.ts';
import type { OperationRunner } from './runner.ts';
import type { ServerMessage } from '../ws/protocol.ts';

export type Announce = (op: OperationItem) => Promise<void>;

const imageOf = (img: unknown): OperationItem | undefined =>
  img ? (unmarshall(img as Record<string, AttributeValue>) as OperationItem) : undefined;

export function createOperationWorker(runner: Pick<OperationRunner, 'step'>, announce: Announce) {
  const handle = async (r: DynamoDBRecord) => {
    if (r.eventName === 'REMOVE') return; // TTL expiry
    const next = imageOf(r.dynamodb?.NewImage);
    if (!next?.operation_id || !next.type) return;
    const prev = imageOf(r.dynamodb?.OldImage);
    if (!prev || prev.seq !== next.seq) await announce(next);
    if (isTerminal(next.status)) return;
    const trigger = r.eventName === 'INSERT' || prev?.next_chunk !== next.next_chunk;
    if (trigger) await runner.step(next.operation_id, next.next_chunk);
  };

  // In stream order; after a failure the rest of the batch is reported failed unprocessed, so
  // the retry starts at the failed record and a chain is never reordered.
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const failures: { itemIdentifier: string }[] = [];
    for (const r of event.Records) {
      const seq = r.dynamodb?.SequenceNumber ?? '';
      if (failures.length > 0) {
        failures.push({ itemIdentifier: seq });
        continue;
      }
      try {
        await handle(r);
      } catch (err) {
        logger.error('operation step failed; the stream retries it', { error: err, seq });
        failures.push({ itemIdentifier: seq });
      }
    }
    return { batchItemFailures: failures };
  };
}

/** Posts the state to every live subscriber of the operation's topic; never throws. */
export function announcer(deps: {
  subscribers: (topic: string) => Promise<string[]>;
  fanout: (ids: readonly string[], message: ServerMessage) => Promise<unknown>;
  result?: (op: OperationItem) => Promise<Record<string, unknown> | undefined>;
}): Announce {
  return async (op) => {
    try {
      const ids = await deps.subscribers(operationTopic(op.operation_id));
      if (ids.length === 0) return;
      const result = deps.result ? await deps.result(op) : undefined;
      await deps.fanout(ids, progressMessage(toView(op, result)));
    } catch (err) {
      logger.warn('operation progress not delivered', {
        operation_id: op.operation_id,
        error: (err as Error).name,
      });
    }
  };
}
