import type { HistoryRecord } from '../../../../client/index.ts';

export type HistoryOperation = HistoryRecord['operation_type'];

/**
 * The history operation types as values. shared/domain/history-query.ts exports them too, but
 * that module imports server code (shared/repo/items.ts, node:crypto) a browser bundle cannot
 * take; the checks below make tsc fail if this list and the API's type ever differ.
 */
export const OPERATION_TYPES = [
  'create',
  'update',
  'delete',
  'restore',
] as const satisfies readonly HistoryOperation[];

type Missing = Exclude<HistoryOperation, (typeof OPERATION_TYPES)[number]>;
export const operationTypesComplete: [Missing] extends [never] ? true : false = true;
