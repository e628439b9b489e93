/**
 * The client's types, derived from the zod schemas the handlers validate with (request bodies:
 * their input side; responses: their output side). Type-only imports: the client carries no
 * zod at run time.
 */
import type * as z from 'zod/mini';
import type {
  createInstanceSchema,
  instanceSchema,
  updateInstanceSchema,
} from '../shared/domain/instance.ts';
import type { listInstancesQuerySchema } from '../shared/domain/query.ts';
import type { copyInstanceSchema } from '../shared/domain/copy.ts';
import type { historyExportQuerySchema } from '../shared/domain/history-export-query.ts';
import type { historyListQuerySchema } from '../shared/domain/history-list-query.ts';
import type { historySearchQuerySchema } from '../shared/domain/history-search-query.ts';
import type { historyStatsQuerySchema } from '../shared/domain/history-stats.ts';
import type {
  historyBatchComparisonSchema,
  historyComparisonSchema,
  historyPageSchema,
  historyRecordSchema,
  historySearchPageSchema,
  historyStatsSchema,
  instanceStatsSchema,
} from '../shared/domain/history.ts';
import type { batchUpdateSchema } from '../shared/repo/batch-update.ts';
import type {
  batchResultSchema,
  deleteResultSchema,
  healthSchema,
  livenessSchema,
  historyExportSchema,
  instanceEventSchema,
  instanceListSchema,
  operationListSchema,
  operationProgressSchema,
  operationSchema,
  wsControlMessageSchema,
} from '../shared/openapi/schemas.ts';
import type { createOperationSchema, listOperationsQuerySchema } from '../shared/ops/schemas.ts';

/** Query parameters by value (the schema's parsed side), all optional; a list may be one value. */
type QueryOf<S extends z.ZodMiniType> = {
  [K in keyof z.output<S>]?: z.output<S>[K] extends readonly (infer E)[]
    ? E | readonly E[]
    : z.output<S>[K];
};

export type Instance = z.output<typeof instanceSchema>;
export type CreateInstanceInput = z.input<typeof createInstanceSchema>;
export type CopyInstanceInput = z.input<typeof copyInstanceSchema>;
export type UpdateInstanceInput = z.input<typeof updateInstanceSchema>;
export type Status = Instance['status'];
export type Priority = Instance['priority'];

export type ListInstancesQuery = QueryOf<typeof listInstancesQuerySchema>;
export type HistoryListQuery = QueryOf<typeof historyListQuerySchema>;
export type HistorySearchQuery = QueryOf<typeof historySearchQuerySchema>;
export type TimeRange = z.output<typeof historyStatsQuerySchema>['time_range'];
export type ExportFormat = z.output<typeof historyExportQuerySchema>['format'];

/** One item of a batch update: `data` is validated like a PATCH body. */
export interface BatchUpdateItem {
  id: number;
  data: UpdateInstanceInput;
  /** Only update when the instance is at this version (like If-Match). */
  version?: number;
}

export type InstanceList = z.output<typeof instanceListSchema>;
export type DeleteResult = z.output<typeof deleteResultSchema>;
export type Health = z.output<typeof healthSchema>;
export type Liveness = z.output<typeof livenessSchema>;
export type InstanceStats = z.output<typeof instanceStatsSchema>;
export type BatchResult = z.output<typeof batchResultSchema>;
export type HistoryRecord = z.output<typeof historyRecordSchema>;
export type HistoryPage = z.output<typeof historyPageSchema>;
export type HistorySearchPage = z.output<typeof historySearchPageSchema>;
export type HistoryComparison = z.output<typeof historyComparisonSchema>;
export type HistoryBatchComparison = z.output<typeof historyBatchComparisonSchema>;
export type HistoryStats = z.output<typeof historyStatsSchema>;
export type HistoryExport = z.output<typeof historyExportSchema>;
export type InstanceEvent = z.output<typeof instanceEventSchema>;
export type Operation = z.output<typeof operationSchema>;
export type OperationList = z.output<typeof operationListSchema>;
/** WebSocket message to subscribers of `operation:<id>` (see `SubscribeOptions.onMessage`). */
export type OperationProgress = z.output<typeof operationProgressSchema>;
export type CreateOperationInput = z.input<typeof createOperationSchema>;
export type ListOperationsQuery = QueryOf<typeof listOperationsQuerySchema>;
export type WsControlMessage = z.output<typeof wsControlMessageSchema>;

// A batch item the client sends must be one the handler's schema accepts (tsc fails otherwise).
type BatchUpdateBody = z.input<typeof batchUpdateSchema>['updates'][number];
type Check<T extends true> = T;
export type BatchUpdateItemFits = Check<BatchUpdateItem extends BatchUpdateBody ? true : false>;
