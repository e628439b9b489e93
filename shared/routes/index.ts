/**
 * Every HTTP route, in one list: for the CDK stack, the local gateway, the OpenAPI document and
 * the typed client's types. Generated from the definition files by `npm run openapi` (do not
 * edit; test/unit/openapi.test.ts fails while it is stale). Never imported by a Lambda handler
 * (a handler imports only its own definition), so no bundle carries every route's schemas;
 * test/infra/route-bundles.test.ts checks it.
 */
import type { RouteDefinition } from './define.ts';
import { batchCompareHistory } from './batch-compare-history.ts';
import { batchDelete } from './batch-delete.ts';
import { batchUpdate } from './batch-update.ts';
import { cancelOperation } from './cancel-operation.ts';
import { compareHistory } from './compare-history.ts';
import { copyInstance } from './copy-instance.ts';
import { createInstance } from './create-instance.ts';
import { createOperation } from './create-operation.ts';
import { deleteInstance } from './delete-instance.ts';
import { exportHistory } from './export-history.ts';
import { getHistoryRecord } from './get-history-record.ts';
import { getInstanceByName } from './get-instance-by-name.ts';
import { getInstance } from './get-instance.ts';
import { getOperation } from './get-operation.ts';
import { health } from './health.ts';
import { historyStats } from './history-stats.ts';
import { instanceStats } from './instance-stats.ts';
import { listHistory } from './list-history.ts';
import { listInstances } from './list-instances.ts';
import { listOperations } from './list-operations.ts';
import { liveness } from './liveness.ts';
import { openApiDocument } from './openapi-document.ts';
import { previewRestore } from './preview-restore.ts';
import { restoreInstance } from './restore-instance.ts';
import { searchHistory } from './search-history.ts';
import { patchInstance, putInstance } from './update-instance.ts';

const all = [
  health,
  getHistoryRecord,
  batchCompareHistory,
  compareHistory,
  searchHistory,
  listInstances,
  createInstance,
  getInstance,
  putInstance,
  patchInstance,
  deleteInstance,
  copyInstance,
  listHistory,
  exportHistory,
  historyStats,
  previewRestore,
  restoreInstance,
  batchDelete,
  batchUpdate,
  getInstanceByName,
  instanceStats,
  openApiDocument,
  listOperations,
  createOperation,
  getOperation,
  cancelOperation,
  liveness,
] as const satisfies readonly RouteDefinition[];

export const routes: readonly RouteDefinition[] = all;

/** Each route's own literal type, for the typed client (client/operations.ts). */
export type AnyRoute = (typeof all)[number];
export type OperationId = AnyRoute['operationId'];
/** The definition behind an operationId (the typed client's request table). */
export type RouteOf<K extends OperationId> = Extract<AnyRoute, { operationId: K }>;
