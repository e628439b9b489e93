/**
 * Stream consumers and their event-source settings, declared once. The CDK stack turns each
 * into a DynamoDB event source mapping; the local poller (infra/local/stream-poller.ts) reads
 * the same numbers and applies the same batch / retry / bisect / partial-failure semantics.
 */
import type { TableName } from './tables.ts';
import type { Access } from './routes.ts';
import type { BucketGrants } from './buckets.ts';

export interface StreamConsumerDef {
  readonly id: string;
  readonly sourceTable: TableName;
  readonly handler: string;
  readonly batchSize: number;
  /** Seconds Lambda may wait to fill a batch; locally, the poll interval. */
  readonly maxBatchingWindowSeconds: number;
  readonly retryAttempts: number;
  readonly bisectBatchOnError: boolean;
  readonly reportBatchItemFailures: true;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly tables: Partial<Record<TableName, Access>>;
  /** Posts to WebSocket connections (needs execute-api:ManageConnections and the endpoint). */
  readonly websocket?: boolean;
  /** S3 buckets the consumer needs (env var + grant), see buckets.ts. */
  readonly buckets?: BucketGrants;
}

export const streamConsumers: readonly StreamConsumerDef[] = [
  {
    id: 'HistoryWriter',
    sourceTable: 'instances',
    handler: 'stream/history-writer',
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    retryAttempts: 5,
    bisectBatchOnError: true,
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
    retryAttempts: 2,
    bisectBatchOnError: false,
    reportBatchItemFailures: true,
    startingPosition: 'LATEST',
    tables: { connections: 'write' },
    websocket: true,
  },
  /**
   * Long-running operations (docs/operations.md): each INSERT or checkpoint of an operation
   * triggers one chunk of work, whose checkpoint triggers the next. One record per invocation
   * keeps every invocation to one chunk (well inside the 60 s timeout); a chunk error is retried
   * generously because exhausting the retries would strand the operation.
   */
  {
    id: 'OperationWorker',
    sourceTable: 'operations',
    handler: 'stream/operation-worker',
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    retryAttempts: 50,
    bisectBatchOnError: false,
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
