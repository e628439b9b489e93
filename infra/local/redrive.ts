/**
 * Re-processes what the stream consumers could not: the on-failure entries (pointers to a shard
 * range, re-read from the stream while it still holds them) and the quarantined poison records
 * (kept whole). Runs the same handler modules as the stack; they are idempotent, so a record
 * that did get through earlier changes nothing. An entry is removed only after its records
 * were processed without failure.
 */
import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamConsumerDef } from '../../shared/config/streams.ts';
import type { QuarantineRepository } from '../../shared/repo/quarantine.ts';
import { lambdaContext } from './lambda-context.ts';
import { toLambdaRecord, type FailureEntry } from './stream-poller.ts';

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

const BATCH = 100;

/** The records of one shard from `start` to `end` (sequence numbers, inclusive). */
async function readRange(
  streams: DynamoDBStreamsClient,
  info: FailureEntry['DDBStreamBatchInfo'],
): Promise<StreamRecord[]> {
  const end = BigInt(info.endSequenceNumber);
  let iterator = (
    await streams.send(
      new GetShardIteratorCommand({
        StreamArn: info.streamArn,
        ShardId: info.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: info.startSequenceNumber,
      }),
    )
  ).ShardIterator;
  const out: StreamRecord[] = [];
  while (iterator) {
    const res = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const records = res.Records ?? [];
    for (const r of records) {
      if (BigInt(r.dynamodb!.SequenceNumber!) > end) return out;
      out.push(r);
    }
    // An open shard keeps answering with an iterator: an empty page means the range is read.
    if (records.length === 0) return out;
    iterator = res.NextShardIterator;
  }
  return out;
}

async function invoke(handler: Handler, consumer: string, records: DynamoDBRecord[]) {
  for (let i = 0; i < records.length; i += BATCH) {
    const res = await handler(
      { Records: records.slice(i, i + BATCH) },
      lambdaContext(consumer, randomUUID(), 60_000),
    );
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
        const records = await readRange(streams, entry.DDBStreamBatchInfo);
        await invoke(
          handler,
          consumer.id,
          records.map((r) => toLambdaRecord(r, entry.DDBStreamBatchInfo.streamArn)),
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
      await invoke(handler, consumer.id, [JSON.parse(item.record) as DynamoDBRecord]);
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
