/**
 * One shard range of a DynamoDB stream, re-read and turned back into the events Lambda would
 * have delivered. Both redrives use it: the local one (entries of `dlq-<consumer>.jsonl`) and
 * the deployed one (messages of a consumer's on-failure SQS queue); both hold the same pointer,
 * Lambda's `DDBStreamBatchInfo` — shard id, first and last sequence number, stream ARN — never
 * the records, which exist only while the stream retains them (24 h).
 */
import {
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
  type ShardIteratorType,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { toLambdaRecord } from './stream-records.ts';

/** The part of Lambda's on-failure record that names the records (`DDBStreamBatchInfo`). */
export interface ShardRange {
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
}

/**
 * The range is no longer in the stream: its records aged out of the 24 h retention
 * (TrimmedDataAccessException), or the shard or stream is gone (ResourceNotFoundException: a
 * shard is deleted after its records expire; a disabled stream's after 24 h). Nothing can
 * re-read them.
 */
export class RangeAgedOutError extends Error {
  constructor(
    readonly range: ShardRange,
    override readonly cause: Error,
  ) {
    super(
      `${cause.name}: the records of ${range.shardId} ${range.startSequenceNumber}…${range.endSequenceNumber} ` +
        `are no longer in the stream (older than its 24 h retention, or the stream is gone)`,
    );
    this.name = 'RangeAgedOutError';
  }
}

export interface RangeRead {
  /** The records from the first to the last sequence number (inclusive), in stream order. */
  records: StreamRecord[];
  /**
   * True once the last sequence number (or a record past it) was read. False when the shard
   * ended or the reads stopped returning records before that: the range was not read whole.
   */
  complete: boolean;
}

export interface ReadRangeOptions {
  /**
   * Consecutive empty GetRecords pages after which the read stops. An open shard keeps
   * answering with an iterator, and DynamoDB Streams may return empty pages before reaching
   * records, so a reader that must not stop early allows several. Default 1 (the local stack's
   * redrive: DynamoDB Local returns an empty page only past the last record).
   */
  maxEmptyPages?: number;
  /** Records per GetRecords call (the API's maximum, 1,000, by default). */
  limit?: number;
}

const isAgedOut = (err: unknown): err is Error =>
  err instanceof TrimmedDataAccessException || err instanceof ResourceNotFoundException;

/**
 * The records of one shard from `startSequenceNumber` to `endSequenceNumber` (inclusive):
 * GetShardIterator AT_SEQUENCE_NUMBER, then GetRecords until past the end. Throws
 * RangeAgedOutError when the stream no longer holds the range.
 */
export async function readRange(
  streams: DynamoDBStreamsClient,
  range: ShardRange,
  { maxEmptyPages = 1, limit = 1000 }: ReadRangeOptions = {},
): Promise<RangeRead> {
  const end = BigInt(range.endSequenceNumber);
  const iteratorAt = async (type: ShardIteratorType, sequenceNumber: string) => {
    try {
      return (
        await streams.send(
          new GetShardIteratorCommand({
            StreamArn: range.streamArn,
            ShardId: range.shardId,
            ShardIteratorType: type,
            SequenceNumber: sequenceNumber,
          }),
        )
      ).ShardIterator;
    } catch (err) {
      if (isAgedOut(err)) throw new RangeAgedOutError(range, err);
      throw err;
    }
  };

  const records: StreamRecord[] = [];
  let iterator = await iteratorAt('AT_SEQUENCE_NUMBER', range.startSequenceNumber);
  let emptyPages = 0;
  let expired = 0;
  while (iterator) {
    let page;
    try {
      page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    } catch (err) {
      if (err instanceof TrimmedDataAccessException) throw new RangeAgedOutError(range, err);
      // An iterator lives 15 minutes: take a new one where the read stopped.
      if (err instanceof ExpiredIteratorException && ++expired <= 3) {
        const last = records.at(-1)?.dynamodb?.SequenceNumber;
        iterator = last
          ? await iteratorAt('AFTER_SEQUENCE_NUMBER', last)
          : await iteratorAt('AT_SEQUENCE_NUMBER', range.startSequenceNumber);
        continue;
      }
      throw err;
    }
    const page_ = page.Records ?? [];
    for (const r of page_) {
      const seq = BigInt(r.dynamodb!.SequenceNumber!);
      if (seq > end) return { records, complete: true };
      records.push(r);
      if (seq === end) return { records, complete: true };
    }
    if (page_.length === 0) {
      if (++emptyPages >= maxEmptyPages) return { records, complete: false };
    } else emptyPages = 0;
    iterator = page.NextShardIterator;
  }
  // The shard is closed and ended before the range did.
  return { records, complete: false };
}

export interface LambdaEventOptions {
  /** Records per event at most. */
  maxRecords: number;
  /** Serialized bytes per event at most (a synchronous Invoke takes 6 MB); no limit if unset. */
  maxBytes?: number;
  /**
   * `awsRegion` of the records. Unset: the local stack's region, as the local mapping
   * delivers; deployed, the stream's region (from its ARN), as Lambda delivers.
   */
  region?: string;
}

/** The region in an ARN (`arn:aws:dynamodb:<region>:…`). */
export const regionOfArn = (arn: string): string | undefined => arn.split(':')[3] || undefined;

/**
 * The events Lambda would deliver for `records` of `streamArn`: the records in stream order,
 * split into events of at most `maxRecords` records (and `maxBytes` bytes).
 */
export function lambdaEvents(
  records: StreamRecord[],
  streamArn: string,
  { maxRecords, maxBytes, region }: LambdaEventOptions,
): DynamoDBStreamEvent[] {
  const events: DynamoDBStreamEvent[] = [];
  let current: DynamoDBStreamEvent['Records'] = [];
  let bytes = 0;
  for (const r of records) {
    const record = region
      ? { ...toLambdaRecord(r, streamArn), awsRegion: region }
      : toLambdaRecord(r, streamArn);
    const size = maxBytes === undefined ? 0 : Buffer.byteLength(lambdaPayload(record)) + 1;
    if (
      current.length > 0 &&
      (current.length >= maxRecords || (maxBytes !== undefined && bytes + size > maxBytes))
    ) {
      events.push({ Records: current });
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) events.push({ Records: current });
  return events;
}

/**
 * JSON as Lambda delivers a stream event: binary attribute values (`B`, `BS`), which the SDK
 * reads as bytes, are base64 strings.
 */
export function lambdaPayload(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    // Buffer#toJSON ran before the replacer: { type: 'Buffer', data: [...] }.
    if (
      v !== null &&
      typeof v === 'object' &&
      (v as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((v as { data?: unknown }).data)
    ) {
      return Buffer.from((v as { data: number[] }).data).toString('base64');
    }
    return v;
  });
}
