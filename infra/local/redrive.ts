/**
 * Re-processes what the stream consumers could not: the on-failure entries (pointers to a shard
 * range, re-read from the stream while it still holds them) and the quarantined poison records
 * (kept whole). Runs the same handler modules as the stack; they are idempotent, so a record
 * that did get through earlier changes nothing. An entry is removed only after its records
 * were processed without failure.
 *
 * `redriveQueue` does the same deployed: the entries are the messages of a consumer's
 * on-failure SQS queue, and the handler is the deployed function (Lambda Invoke). Both re-read
 * the range and build the events with stream-range.ts.
 */
import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamConsumerDef } from '../../shared/config/streams.ts';
import type { QuarantineRepository } from '../../shared/repo/quarantine.ts';
import { lambdaContext } from './lambda-context.ts';
import type { FailureEntry } from './stream-records.ts';
import { lambdaEvents, readRange } from './stream-range.ts';

export interface RedriveReport {
  consumer: string;
  /** On-failure entries replayed and removed / left in place. */
  entriesReplayed: number;
  entriesFailed: number;
  /** Stream records those entries covered. */
  records: number;
  /** Quarantined records processed and released / quarantined again. */
  quarantineReleased: number;
  quarantineStillFailing: number;
  errors: string[];
}

export type Handler = (
  event: DynamoDBStreamEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<DynamoDBBatchResponse | undefined>;

/** Records per invocation when a replayed range is delivered again (Lambda's batch size here). */
export const BATCH = 100;

async function invoke(handler: Handler, consumer: string, events: DynamoDBStreamEvent[]) {
  for (const event of events) {
    const res = await handler(event, lambdaContext(consumer, randomUUID(), 60_000));
    const failed = res?.batchItemFailures?.length ?? 0;
    if (failed > 0) throw new Error(`${failed} record(s) failed again`);
  }
}

export interface RedriveDeps {
  consumer: StreamConsumerDef;
  handler: Handler;
  streams: DynamoDBStreamsClient;
  quarantine: QuarantineRepository;
  /** Folder of the on-failure files (`dlq-<consumer>.jsonl`). */
  stateDir: string;
}

export async function redrive({
  consumer,
  handler,
  streams,
  quarantine,
  stateDir,
}: RedriveDeps): Promise<RedriveReport> {
  const report: RedriveReport = {
    consumer: consumer.id,
    entriesReplayed: 0,
    entriesFailed: 0,
    records: 0,
    quarantineReleased: 0,
    quarantineStillFailing: 0,
    errors: [],
  };

  const dlqFile = join(stateDir, `dlq-${consumer.id}.jsonl`);
  if (existsSync(dlqFile)) {
    const kept: string[] = [];
    for (const line of readFileSync(dlqFile, 'utf8').split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as FailureEntry;
      try {
        const { records } = await readRange(streams, entry.DDBStreamBatchInfo);
        await invoke(
          handler,
          consumer.id,
          lambdaEvents(records, entry.DDBStreamBatchInfo.streamArn, { maxRecords: BATCH }),
        );
        report.entriesReplayed++;
        report.records += records.length;
        appendFileSync(join(stateDir, `dlq-${consumer.id}.redriven.jsonl`), line + '\n');
      } catch (err) {
        report.entriesFailed++;
        report.errors.push(`${entry.DDBStreamBatchInfo.startSequenceNumber}: ${String(err)}`);
        kept.push(line);
      }
    }
    writeFileSync(dlqFile, kept.map((l) => l + '\n').join(''));
  }

  for (const item of await quarantine.list(consumer.id)) {
    try {
      await invoke(handler, consumer.id, [
        { Records: [JSON.parse(item.record) as DynamoDBRecord] },
      ]);
      // The handler quarantines a record that still fails (a new quarantined_at): then keep it.
      if (await quarantine.release(item)) report.quarantineReleased++;
      else report.quarantineStillFailing++;
    } catch (err) {
      report.quarantineStillFailing++;
      report.errors.push(`${item.pk}: ${String(err)}`);
    }
  }
  return report;
}
