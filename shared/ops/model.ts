/**
 * Long-running operations (SPEC §8): the stored item, how it becomes its API view (declared in
 * view.ts) and the rules every writer shares (limits, statuses, how progress is computed). No
 * I/O here.
 */
import type { ListInstancesQuery } from '../domain/query.ts';
import type { UpdateInstanceInput } from '../domain/instance.ts';
import { operationProgressMessage, type OperationProgress } from '../ws/protocol.ts';
import type { OperationStatus, OperationType, OperationView } from './view.ts';

export const ACTIVE_STATUSES: readonly OperationStatus[] = ['pending', 'running'];
export const isTerminal = (s: OperationStatus) => !ACTIVE_STATUSES.includes(s);

/** Items one operation may target (SPEC §8). */
export const MAX_OPERATION_ITEMS = 10_000;
/** Items per chunk: one checkpoint (and one stream record) per chunk. */
export const CHUNK_SIZE = 100;
/** Items of a chunk in flight at once. */
export const ITEM_CONCURRENCY = 10;
/** Errors kept on the operation (SPEC: the first 100). */
export const MAX_ERRORS = 100;
/** Operations (and their chunks and export files) are kept this long after the last change. */
export const OPERATION_TTL_DAYS = 7;
export const ttlFrom = (now: Date) =>
  Math.floor(now.getTime() / 1000) + OPERATION_TTL_DAYS * 86_400;

export type ExportFormat = 'json' | 'csv';

/** What the caller asked for, as stored (the id list itself lives in chunk items). */
export type OperationRequest =
  | {
      type: 'bulk-update';
      data: UpdateInstanceInput;
      filter?: OperationFilter;
      ids_count?: number;
    }
  | { type: 'bulk-delete'; filter?: OperationFilter; ids_count?: number }
  | {
      type: 'export';
      format: ExportFormat;
      instance_ids_count?: number;
      start_date?: string;
      end_date?: string;
    };

/** A list filter as sent (JSON form) and as resolved (list query form, for re-checks). */
export interface OperationFilter {
  sent: Record<string, unknown>;
  query: Omit<ListInstancesQuery, 'limit' | 'cursor' | 'skip' | 'sort_by' | 'sort_order'>;
}

export interface ItemError {
  id: number;
  error: { type: string; message: string };
}

/**
 * Where an export's walk of history stands (export-source.ts): at instance `k` of the id list
 * after version `v`, on day `d` after index key `key`, or after history id `h`.
 */
export type ExportPosition =
  | { m: 'ids'; k: number; v: number }
  | { m: 'day'; d: string; key?: Record<string, unknown> }
  | { m: 'hid'; h: number };

/** The bounds of an export's walk, fixed by its first chunk. */
export interface ExportBound {
  /** Inclusive time range of the records. */
  from_ts?: string;
  to_ts: string;
  /** Day range of a `day` walk. */
  first_day?: string;
  last_day?: string;
  /** Highest history id of an `hid` walk. */
  max_hid?: number;
}

/** Where an export walk stands; written with each part so a redelivered chunk resumes there. */
export interface ExportState {
  key: string;
  filename: string;
  upload_id?: string;
  parts: { n: number; etag: string }[];
  /** Walk position; absent before the first part. */
  position?: ExportPosition;
  /** Upper bound of the walk fixed by the first chunk (a snapshot of history at that time). */
  bound?: ExportBound;
  records: number;
  bytes: number;
}

export interface OperationItem {
  operation_id: string;
  list_pk: string;
  type: OperationType;
  status: OperationStatus;
  actor: string;
  /** `X-Change-Reason` of the request that started it; every change it makes carries it. */
  reason?: string;
  request: OperationRequest;
  created_at: string;
  updated_at: string;
  /** When the current chunk became current: changes after it may be this chunk's own. */
  checkpoint_at: string;
  started_at?: string;
  finished_at?: string;
  expires_at: number;
  /** Null while unknown (an export learns its size as it goes). */
  total: number | null;
  chunk_count: number;
  next_chunk: number;
  processed: number;
  succeeded: number;
  failed: number;
  progress: number;
  errors: ItemError[];
  /** Item outcomes by kind (updated, unchanged, skipped, deleted, not_found, …). */
  counts: Record<string, number>;
  cancel_requested?: boolean;
  cancel_requested_by?: string;
  cancel_requested_at?: string;
  /** Bumped by every write: orders the states a subscriber sees. */
  seq: number;
  export?: ExportState;
  /** Final outcome details (export: file facts; bulk: counts). */
  result?: Record<string, unknown>;
  /** Why an operation failed as a whole (e.g. the export could not be written). */
  failure?: { type: string; message: string };
}

export function toView(item: OperationItem, result?: Record<string, unknown>): OperationView {
  const res = result ?? item.result;
  return {
    operation_id: item.operation_id,
    type: item.type,
    status: item.status,
    progress: item.progress,
    total: item.total,
    processed: item.processed,
    succeeded: item.succeeded,
    failed: item.failed,
    // DynamoDB maps do not keep key order: restore the documented one.
    errors: (item.errors ?? []).map((e) => ({
      id: e.id,
      error: { type: e.error.type, message: e.error.message },
    })),
    created_at: item.created_at,
    updated_at: item.updated_at,
    actor: item.actor,
    ...(item.reason !== undefined ? { reason: item.reason } : {}),
    request: publicRequest(item.request),
    ...(item.cancel_requested ? { cancel_requested: true } : {}),
    ...(item.started_at ? { started_at: item.started_at } : {}),
    ...(item.finished_at ? { finished_at: item.finished_at } : {}),
    ...(res ? { result: res } : {}),
    ...(item.failure ? { error: item.failure } : {}),
  };
}

/** The request as the caller sent it (the resolved filter is internal). */
function publicRequest(r: OperationRequest): OperationView['request'] {
  if (r.type === 'export' || !r.filter) return { ...r };
  return { ...r, filter: r.filter.sent };
}

/** Percent done; 100 only once finished, so a running operation never shows 100. */
export function progressOf(processed: number, total: number | null, finished: boolean): number {
  if (finished) return 100;
  if (!total) return 0;
  return Math.min(99, Math.floor((processed * 100) / total));
}

/** The terminal status a finished bulk operation gets from its counts. */
export function terminalStatus(succeeded: number, failed: number): OperationStatus {
  if (failed === 0) return 'succeeded';
  return succeeded === 0 ? 'failed' : 'partially_succeeded';
}

/** The id list split into chunks of CHUNK_SIZE. */
export function chunked<T>(items: readonly T[], size = CHUNK_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The progress message subscribers of `operation:<id>` get for this state of the operation. */
export const progressMessage = (view: OperationView): OperationProgress =>
  operationProgressMessage(view);

export const operationTopic = (id: string) => `operation:${id}`;
