/**
 * Local DynamoDB Streams event source mapping. Polls the real DynamoDB Local stream
 * (DescribeStream / GetShardIterator / GetRecords), follows new shards (children after their
 * parents), and invokes the same handler module with a real `DynamoDBStreamEvent`, applying
 * the settings declared in shared/config/streams.ts the way Lambda does:
 * - batches of at most `batchSize` records, one batch in flight per shard — or, with a
 *   parallelization factor N > 1, up to N batches in flight per shard: records are split into
 *   N lanes by a hash of their partition key, so one key's records stay in order in one lane
 *   while different keys are processed concurrently (Lambda's ParallelizationFactor). The
 *   shard is checkpointed once every lane has finished what was read, so a stop mid-way
 *   delivers the whole read again after a restart;
 * - `batchItemFailures` → checkpoint before the lowest failed sequence number, retry from it;
 *   an unknown `itemIdentifier` fails the whole batch; an empty list is success;
 * - a thrown error → bisect the batch (if `bisectBatchOnError`) and retry the halves;
 * - retries back off exponentially; after `retryAttempts` retries, or once the oldest record
 *   is `maxRecordAgeSeconds` old, the failing records go to the on-failure destination, which
 *   locally is a JSON-lines file (docs/operations.md, "Redrive"), and processing moves on.
 * Where Lambda reads each shard four times a second, a local reader that finds nothing waits
 * `pollMs`, doubling while the shard stays quiet up to `idleMs`; `wake()` reads at once. The
 * local stack wakes its consumers on each write it serves, so a quiet machine is not kept busy
 * and a change still arrives at once.
 * Checkpoints persist in the data folder, so a restart resumes where it stopped. Stopping never
 * counts as a failure: a batch cut short by stop() is neither checkpointed nor dead-lettered,
 * so it is delivered again after a restart (the handlers are idempotent).
 */
import { mkdirSync, readFileSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamConsumerDef } from '../../shared/config/streams.ts';
import { LOCAL_AWS } from './dynamodb-local.ts';
import { loadHandler } from './handlers.ts';
import { ShardLanes } from './stream-lanes.ts';
import { toLambdaRecord, type FailureCondition, type FailureEntry } from './stream-records.ts';
import { lambdaContext } from './lambda-context.ts';
import { randomUUID } from 'node:crypto';

export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPollerOptions {
  consumer: StreamConsumerDef;
  /** Defaults to the consumer's handler module; tests pass a wrapped one to inject faults. */
  handler?: StreamHandler;
  streamArn: string;
  endpoint: string;
  /** Wait before reading a shard again after a read that found nothing new, ms. */
  pollMs: number;
  /**
   * Longest such wait: while a shard stays quiet the wait doubles from `pollMs` up to this, and
   * `wake()` ends it at once (default `pollMs`, a fixed interval). The local stack wakes its
   * consumers on every write it serves, so a quiet stack costs little and a write is still
   * delivered at once.
   */
  idleMs?: number;
  /** Called after each invocation of the handler, which may have written something. */
  afterInvoke?: () => void;
  stateDir?: string;
  /**
   * Concurrent batches per shard (Lambda's ParallelizationFactor, 1–10). Locally it defaults to
   * 1; DynamoDB Local has one shard, so this is what makes the local stack interleave batches
   * the way several shards and a factor > 1 do on AWS.
   */
  parallelization?: number;
}

interface Checkpoints {
  /** shardId → last sequence number fully processed. */
  done: Record<string, string>;
  /** Shards read to their end. */
  closed: string[];
}

/** Ends the waits registered in `waiters` (each removes itself as it ends). */
const endWaits = (waiters: Set<() => void>) => {
  for (const end of [...waiters]) end();
};

/** Lambda backs off between retries of a stream batch; so does the local mapping. */
const MAX_BACKOFF_MS = 5_000;

export class StreamPoller {
  private readonly client: DynamoDBStreamsClient;
  private running = false;
  /** Set by drain(): readers stop once they have read to the end of their shard. */
  private draining = false;
  /** Aborts backoff waits when the poller stops. */
  private readonly halt = new AbortController();
  /** Ends the readers' current idle waits, see wake(). */
  private readonly waiting = new Set<() => void>();
  /** wake() calls so far: a reader woken while it was reading reads again instead of waiting. */
  private wakes = 0;
  /** Ends shard discovery's wait: a shard was read to its end and may have a child. */
  private readonly discovering = new Set<() => void>();
  private loop: Promise<void> | undefined;
  private readonly active = new Map<string, Promise<void>>();
  private readonly state: Checkpoints;
  private readonly stateFile: string | undefined;
  readonly dlqFile: string;
  /** Batches handed to the on-failure destination. */
  dlqCount = 0;
  /** GetRecords calls made: what a quiet stream costs. */
  reads = 0;
  /**
   * LATEST = "records written after the mapping was created". Implemented as TRIM_HORIZON plus
   * a time cut, because DynamoDB Local can answer a fresh shard's first GetRecords with
   * TrimmedDataAccessException, and a new LATEST iterator after that would skip records.
   */
  private readonly startedAt = Date.now();
  /** The source table's partition key attribute (from DescribeStream), for lanes. */
  private hashKey: string | undefined;

  constructor(private readonly opts: StreamPollerOptions) {
    this.client = new DynamoDBStreamsClient({ endpoint: opts.endpoint, ...LOCAL_AWS });
    const dir = opts.stateDir ?? join(tmpdir(), `inference-instances-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    this.dlqFile = join(dir, `dlq-${opts.consumer.id}.jsonl`);
    const arnTag = opts.streamArn
      .split('/')
      .slice(-3)
      .join('_')
      .replace(/[^\w.-]/g, '_');
    this.stateFile = opts.stateDir
      ? join(dir, `checkpoints-${opts.consumer.id}-${arnTag}.json`)
      : undefined;
    this.state =
      this.stateFile && existsSync(this.stateFile)
        ? (JSON.parse(readFileSync(this.stateFile, 'utf8')) as Checkpoints)
        : { done: {}, closed: [] };
  }

  get id(): string {
    return this.opts.consumer.id;
  }

  start(): void {
    this.running = true;
    this.loop = this.discover();
  }

  /**
   * Reads every shard now instead of when its idle wait ends: something may have been written.
   * Waits between retries of a failing batch are not shortened.
   */
  wake(): void {
    this.wakes++;
    endWaits(this.waiting);
  }

  /** Stops now: a batch in delivery finishes its current attempt and is not checkpointed further. */
  async stop(): Promise<void> {
    this.running = false;
    this.halt.abort();
    await this.loop;
    await Promise.all(this.active.values());
    this.client.destroy();
  }

  /**
   * Delivers everything already in the stream, then stops; at `deadline` it stops anyway
   * (what was not delivered is delivered after the next start). Returns true if it caught up.
   */
  async drain(deadline: number): Promise<boolean> {
    this.draining = true;
    // Readers and shard discovery see `draining` when their waits end: end them now.
    this.wake();
    endWaits(this.discovering);
    const timer = setTimeout(() => void this.stop(), Math.max(0, deadline - Date.now()));
    try {
      await this.loop;
      await Promise.all(this.active.values());
      return this.running;
    } finally {
      clearTimeout(timer);
      await this.stop();
    }
  }

  /** Re-describes the stream and starts a reader for each shard whose parent is finished. */
  private async discover(): Promise<void> {
    while (this.running && !this.draining) {
      try {
        const shards = await this.listShards();
        const known = new Set(shards.map((s) => s.ShardId!));
        for (const shard of shards) {
          const id = shard.ShardId!;
          if (this.active.has(id) || this.state.closed.includes(id)) continue;
          const parent = shard.ParentShardId;
          if (parent && known.has(parent) && !this.state.closed.includes(parent)) continue;
          this.active.set(
            id,
            this.readShard(id).finally(() => {
              this.active.delete(id);
              endWaits(this.discovering);
            }),
          );
        }
      } catch (err) {
        if (this.running) console.error(`[stream ${this.opts.consumer.id}] describe failed`, err);
      }
      // New shards matter only when one ends (which wakes this loop) or none is being read.
      const every = Math.max(500, this.opts.pollMs * 5);
      await this.wait(
        this.active.size > 0 ? Math.max(every, this.idleMs * 5) : every,
        this.discovering,
      );
    }
  }

  private get idleMs(): number {
    return Math.max(this.opts.pollMs, this.opts.idleMs ?? this.opts.pollMs);
  }

  /**
   * After a read that found nothing: waits the next idle interval after `quiet` (undefined
   * after records or a wake), unless woken since `since` (the wake count before the read).
   * Returns the new `quiet`.
   */
  private async rest(quiet: number | undefined, since: number): Promise<number | undefined> {
    if (this.wakes !== since) return undefined;
    const next = quiet === undefined ? this.opts.pollMs : Math.min(this.idleMs, quiet * 2);
    return (await this.idle(next)) ? undefined : next;
  }

  /** Waits, or returns early when the poller stops. */
  private async pause(ms: number): Promise<void> {
    await this.wait(ms);
  }

  /** Waits, or returns early when the poller stops or is woken; true when woken. */
  private idle(ms: number): Promise<boolean> {
    return this.wait(ms, this.waiting);
  }

  /** Waits `ms`; a function added to `wakers` for the time ends the wait early. */
  private wait(ms: number, wakers?: Set<() => void>): Promise<boolean> {
    const { signal } = this.halt;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const end = (woken: boolean) => () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', over);
        wakers?.delete(woke);
        resolve(woken);
      };
      const woke = end(true);
      const over = end(false);
      const timer = setTimeout(over, ms);
      signal.addEventListener('abort', over, { once: true });
      wakers?.add(woke);
    });
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const res = await this.client.send(
        new DescribeStreamCommand({
          StreamArn: this.opts.streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
      );
      shards.push(...(res.StreamDescription?.Shards ?? []));
      this.hashKey ??= res.StreamDescription?.KeySchema?.find(
        (k) => k.KeyType === 'HASH',
      )?.AttributeName;
      start = res.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  private async iterator(shardId: string): Promise<string | undefined> {
    const after = this.state.done[shardId];
    try {
      const res = await this.client.send(
        new GetShardIteratorCommand({
          StreamArn: this.opts.streamArn,
          ShardId: shardId,
          ...(after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      return res.ShardIterator;
    } catch (err) {
      if (err instanceof TrimmedDataAccessException) {
        delete this.state.done[shardId];
        return this.iterator(shardId);
      }
      throw err;
    }
  }

  private async readShard(shardId: string): Promise<void> {
    if (this.lanes > 1) return this.readShardInLanes(shardId);
    let iterator = await this.iterator(shardId);
    let pending: StreamRecord[] = [];
    /** The last idle wait; undefined once records arrive or a wake comes. */
    let quiet: number | undefined;
    while (this.running && (iterator || pending.length)) {
      const since = this.wakes;
      try {
        if (pending.length < this.readSize && iterator) {
          this.reads++;
          const res = await this.client.send(
            new GetRecordsCommand({
              ShardIterator: iterator,
              Limit: this.readSize - pending.length,
            }),
          );
          pending.push(...(res.Records ?? []).filter((r) => this.wanted(shardId, r)));
          iterator = res.NextShardIterator;
        }
        if (pending.length === 0) {
          // Caught up: a draining reader is done.
          if (this.draining) return;
          if (iterator) quiet = await this.rest(quiet, since);
          continue;
        }
        quiet = undefined;
        const batch = pending;
        pending = [];
        await this.deliver(shardId, batch);
      } catch (err) {
        if (err instanceof ExpiredIteratorException || err instanceof TrimmedDataAccessException) {
          iterator = await this.iterator(shardId);
          pending = [];
          continue;
        }
        if (!this.running) return;
        console.error(`[stream ${this.opts.consumer.id}] shard ${shardId} read failed`, err);
        await this.pause(1000);
        iterator = await this.iterator(shardId).catch(() => iterator);
        pending = [];
      }
    }
    if (!iterator && this.running) {
      this.state.closed.push(shardId);
      this.save();
    }
  }

  /** A shard read with several batches in flight (stream-lanes.ts). */
  private async readShardInLanes(shardId: string): Promise<void> {
    const lanes = new ShardLanes({
      lanes: this.lanes,
      batchSize: this.opts.consumer.batchSize,
      hashKey: () => this.hashKey,
      deliver: (batch) => this.deliver(shardId, batch, false),
      checkpoint: (r) => this.checkpoint(shardId, r),
    });
    let iterator = await this.iterator(shardId);
    let quiet: number | undefined;
    while (this.running && iterator) {
      const since = this.wakes;
      try {
        if (lanes.unsettled >= 2 * this.readSize) {
          await lanes.someIdle();
          continue;
        }
        this.reads++;
        const res = await this.client.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.readSize }),
        );
        iterator = res.NextShardIterator;
        const records = res.Records ?? [];
        lanes.add(records, (r) => this.isNew(r));
        if (records.length === 0) {
          // Caught up: a draining reader is done once its lanes are.
          if (this.draining) break;
          if (iterator) quiet = await this.rest(quiet, since);
        } else {
          quiet = undefined;
        }
      } catch (err) {
        if (!this.running) break;
        if (!(
          err instanceof ExpiredIteratorException || err instanceof TrimmedDataAccessException
        )) {
          console.error(`[stream ${this.opts.consumer.id}] shard ${shardId} read failed`, err);
          await this.pause(1000);
        }
        // Re-read from the checkpoint once what was read is settled, so nothing is queued twice.
        await lanes.idle();
        iterator = await this.iterator(shardId).catch(() => iterator);
      }
    }
    await lanes.idle();
    if (!iterator && this.running && lanes.unsettled === 0) {
      this.state.closed.push(shardId);
      this.save();
    }
  }

  /** False for records older than a LATEST mapping (checkpointed without delivery). */
  private wanted(shardId: string, r: StreamRecord): boolean {
    if (this.isNew(r)) return true;
    this.checkpoint(shardId, r);
    return false;
  }

  private isNew(r: StreamRecord): boolean {
    if (this.opts.consumer.startingPosition !== 'LATEST') return true;
    const created = r.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now();
    // DynamoDB Local rounds ApproximateCreationDateTime down to the minute (AWS: to the second).
    return created >= Math.floor(this.startedAt / 60_000) * 60_000;
  }

  private get lanes(): number {
    return Math.max(1, Math.min(10, Math.floor(this.opts.parallelization ?? 1)));
  }

  /** Records fetched per read: enough to give every lane a full batch (GetRecords caps at 1,000). */
  private get readSize(): number {
    return Math.min(1000, this.opts.consumer.batchSize * this.lanes);
  }

  /**
   * Delivers records until all are processed or sent to the on-failure destination, or the
   * poller stops (then the undelivered rest is left for the next start): true when every
   * record is settled. A lane's batch (`checkpoints` false) leaves checkpointing to its lanes.
   */
  private async deliver(
    shardId: string,
    records: StreamRecord[],
    checkpoints = true,
  ): Promise<boolean> {
    const checkpoint = (r: StreamRecord) => {
      if (checkpoints) this.checkpoint(shardId, r);
    };
    const { bisectBatchOnError } = this.opts.consumer;
    let queue: StreamRecord[][] = [records];
    while (queue.length > 0 && this.running) {
      const batch = queue.shift()!;
      let attempt = 0;
      let remaining = batch;
      while (remaining.length > 0) {
        const outcome = await this.invoke(remaining);
        this.opts.afterInvoke?.();
        if (outcome.ok) {
          checkpoint(remaining[remaining.length - 1]!);
          break;
        }
        if (outcome.failedFrom !== undefined && outcome.failedFrom > 0) {
          checkpoint(remaining[outcome.failedFrom - 1]!);
          remaining = remaining.slice(outcome.failedFrom);
        }
        if (!this.running) return false;
        if (outcome.threw && bisectBatchOnError && remaining.length > 1) {
          const mid = Math.ceil(remaining.length / 2);
          queue = [remaining.slice(0, mid), remaining.slice(mid), ...queue];
          break;
        }
        const condition = this.exhausted(attempt, remaining);
        if (condition) {
          this.toDestination(shardId, remaining, condition, outcome.reason);
          checkpoint(remaining[remaining.length - 1]!);
          break;
        }
        attempt++;
        await this.pause(Math.min(MAX_BACKOFF_MS, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
        if (!this.running) return false;
      }
    }
    return queue.length === 0;
  }

  /** Lambda's rule: out of retries (when counted), or the oldest record is too old. */
  private exhausted(attempt: number, records: StreamRecord[]): FailureCondition | undefined {
    const { retryAttempts, maxRecordAgeSeconds } = this.opts.consumer;
    if (retryAttempts !== undefined && attempt >= retryAttempts) return 'RetryAttemptsExhausted';
    const created = records[0]?.dynamodb?.ApproximateCreationDateTime?.getTime();
    if (created !== undefined && Date.now() - created > maxRecordAgeSeconds * 1000)
      return 'RecordAgeExceeded';
    return undefined;
  }

  private async invoke(
    records: StreamRecord[],
  ): Promise<{ ok: true } | { ok: false; failedFrom?: number; threw: boolean; reason: string }> {
    const event: DynamoDBStreamEvent = {
      Records: records.map((r) => toLambdaRecord(r, this.opts.streamArn)),
    };
    try {
      const handler: StreamHandler =
        this.opts.handler ??
        (await loadHandler<DynamoDBStreamEvent, DynamoDBBatchResponse | undefined>(
          this.opts.consumer.handler,
        ));
      const res = await handler(event, lambdaContext(this.opts.consumer.id, randomUUID(), 60_000));
      const failures = res?.batchItemFailures ?? [];
      if (failures.length === 0) return { ok: true };
      const positions = failures.map((f) =>
        records.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier),
      );
      if (positions.some((p) => p < 0))
        return { ok: false, failedFrom: 0, threw: false, reason: 'malformed itemIdentifier' };
      return {
        ok: false,
        failedFrom: Math.min(...positions),
        threw: false,
        reason: 'batchItemFailures',
      };
    } catch (err) {
      return {
        ok: false,
        threw: true,
        reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      };
    }
  }

  private checkpoint(shardId: string, record: StreamRecord): void {
    this.state.done[shardId] = record.dynamodb!.SequenceNumber!;
    this.save();
  }

  private toDestination(
    shardId: string,
    records: StreamRecord[],
    condition: FailureCondition,
    reason: string,
  ): void {
    this.dlqCount++;
    const entry: FailureEntry = {
      requestContext: {
        condition,
        functionArn: this.opts.consumer.id,
      },
      responseContext: { reason },
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: records[0]!.dynamodb!.SequenceNumber!,
        endSequenceNumber: records[records.length - 1]!.dynamodb!.SequenceNumber!,
        batchSize: records.length,
        streamArn: this.opts.streamArn,
      },
      timestamp: new Date().toISOString(),
    };
    appendFileSync(this.dlqFile, JSON.stringify(entry) + '\n');
    console.error(
      `[stream ${this.opts.consumer.id}] ${records.length} record(s) sent to ${this.dlqFile}: ${reason}`,
    );
  }

  private save(): void {
    if (this.stateFile) writeFileSync(this.stateFile, JSON.stringify(this.state));
  }
}
