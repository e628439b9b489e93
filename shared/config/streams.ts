/**
 * Stream consumers and their event-source settings, declared once. The CDK stack turns each
 * into a DynamoDB event source mapping; the local poller (infra/local/stream-poller.ts) reads
 * the same numbers and applies the same batch / retry / bisect / partial-failure semantics.
 */
import type { TableName } from './tables.ts';
import type { Access } from './tables.ts';
import type { BucketGrants } from './buckets.ts';

export interface StreamConsumerDef {
  readonly id: string;
  readonly sourceTable: TableName;
  readonly handler: string;
  readonly batchSize: number;
  /** Seconds Lambda may wait to fill a batch; locally, the poll interval. */
  readonly maxBatchingWindowSeconds: number;
  /**
   * Retries of a failing batch before it goes to the on-failure destination; undefined =
   * retry until the oldest record is `maxRecordAgeSeconds` old (Lambda's -1).
   */
  readonly retryAttempts?: number;
  /** Records older than this go to the on-failure destination instead of being retried. */
  readonly maxRecordAgeSeconds: number;
  readonly bisectBatchOnError: boolean;
  /**
   * Concurrent batches per shard on AWS (ParallelizationFactor, 1–10): one partition key's
   * records stay in order, different keys run concurrently. The local stack uses 1 unless
   * `--stream-parallelism N` (or the `streamParallelism` option) asks for more.
   */
  readonly parallelizationFactor: number;
  readonly reportBatchItemFailures: true;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly tables: Partial<Record<TableName, Access>>;
  /** Posts to WebSocket connections (needs execute-api:ManageConnections and the endpoint). */
  readonly websocket?: boolean;
  /** S3 buckets the consumer needs (env var + grant), see buckets.ts. */
  readonly buckets?: BucketGrants;
}

/**
 * Why the data consumers retry by age and not by count: every failure that reaches the event
 * source mapping is transient by construction (the handlers quarantine records that fail
 * deterministically, see shared/stream/quarantine.ts), so a counted budget only turns an
 * outage longer than the budget into lost history. Six hours rides out any outage we expect
 * and still leaves the stream's 24 h retention for `npm run redrive` to re-read what the
 * on-failure destination points at.
 */
const DATA_RECORD_AGE_SECONDS = 6 * 3600;

export const streamConsumers: readonly StreamConsumerDef[] = [
  {
    id: 'HistoryWriter',
    sourceTable: 'instances',
    handler: 'stream/history-writer',
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    maxRecordAgeSeconds: DATA_RECORD_AGE_SECONDS,
    bisectBatchOnError: true,
    // History throughput scales with it: records of one instance stay in version order, and
    // resume stays gap-free however batches interleave (docs/reliability.md, "Resume").
    parallelizationFactor: 4,
    reportBatchItemFailures: true,
    startingPosition: 'TRIM_HORIZON',
    tables: { history: 'write', meta: 'write' },
  },
  {
    id: 'Broadcaster',
    sourceTable: 'history',
    handler: 'stream/broadcaster',
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    // A connected subscriber cannot tell that it missed a post, so a broadcast that fails (the
    // database is down for a lookup or a restamp) is retried until it is an hour old rather
    // than dropped after a few tries; past that, `npm run redrive` posts it.
    maxRecordAgeSeconds: 3600,
    bisectBatchOnError: false,
    // Fan-out latency, not throughput, is what matters; one instance's records stay in order.
    parallelizationFactor: 4,
    reportBatchItemFailures: true,
    startingPosition: 'LATEST',
    // history: moving a late record's position forward before posting it (resume-window.ts).
    tables: { connections: 'write', history: 'write' },
    websocket: true,
  },
  /**
   * Long-running operations (docs/operations.md): each INSERT or checkpoint of an operation
   * triggers one chunk of work, whose checkpoint triggers the next. One record per invocation
   * keeps every invocation to one chunk (well inside the 60 s timeout); a chunk error is retried
   * generously because giving up strands the operation (`npm run redrive` resumes it); counted,
   * not by age, because a chunk that fails deterministically would otherwise block every
   * operation behind it on the shard for hours.
   */
  {
    id: 'OperationWorker',
    sourceTable: 'operations',
    handler: 'stream/operation-worker',
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    retryAttempts: 50,
    maxRecordAgeSeconds: DATA_RECORD_AGE_SECONDS,
    bisectBatchOnError: false,
    // Two operations make progress side by side (one operation's chunks stay in order); more
    // would let bulk operations crowd out interactive writes on the instances table.
    parallelizationFactor: 2,
    reportBatchItemFailures: true,
    startingPosition: 'TRIM_HORIZON',
    tables: {
      operations: 'write',
      instances: 'write',
      meta: 'write',
      history: 'read',
      connections: 'write',
    },
    websocket: true,
    buckets: { exports: 'write' },
  },
];
