/**
 * Stream consumers and their event-source settings, declared once. The CDK stack turns each
 * into a DynamoDB event source mapping; the local poller (infra/local/stream-poller.ts) reads
 * the same numbers and applies the same batch / retry / bisect / partial-failure semantics.
 */
import type { TableName } from './tables.ts';
import type { Access } from './routes.ts';

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
];
