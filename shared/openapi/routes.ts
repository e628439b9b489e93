/**
 * Per-route documentation, keyed like the route table (`METHOD /path`). The body / query /
 * params schemas are the very objects the handlers pass to `http()`; test/unit/openapi.test.ts
 * checks that (and that every route has an entry and every entry a route). Error responses that
 * follow from the route's shape (auth, scope, body, query, idempotency) are added by the
 * builder; entries list the ones that depend on what the handler does.
 */
import type * as z from 'zod/mini';
import { createInstanceSchema, instanceSchema, updateInstanceSchema } from '../domain/instance.ts';
import {
  instanceNamePathSchema,
  instancePathSchema,
  listInstancesQuerySchema,
} from '../domain/query.ts';
import { copyInstanceBodySchema } from '../domain/copy.ts';
import {
  batchCompareBodySchema,
  comparePathSchema,
  historyExportQuerySchema,
  historyIdPathSchema,
  historyListQuerySchema,
  historySearchQuerySchema,
  historyStatsQuerySchema,
  instanceIdPathSchema,
  restorePathSchema,
} from '../domain/history-query.ts';
import { batchDeleteSchema, batchQuerySchema, batchUpdateSchema } from '../repo/batch.ts';
import {
  createOperationSchema,
  listOperationsQuerySchema,
  operationPathSchema,
} from '../ops/schemas.ts';
import {
  batchResultSchema,
  deleteResultSchema,
  healthSchema,
  livenessSchema,
  historyBatchComparisonSchema,
  historyComparisonSchema,
  historyExportSchema,
  historyPageSchema,
  historyRecordSchema,
  historySearchPageSchema,
  historyStatsSchema,
  instanceListSchema,
  instanceStatsSchema,
  openApiDocumentSchema,
  operationListSchema,
  operationSchema,
} from './schemas.ts';
import {
  clearFieldExample,
  createInstanceExample,
  differencesExample,
  historyRecordExample,
  historyRecordV2Example,
  instanceExample,
  minimalCreateExample,
  operationExample,
  updateInstanceExample,
} from './examples.ts';

type Schema = z.ZodMiniType;

export const TAGS = {
  Instances: 'Create, read, change and retire inference instances.',
  Batch: 'Up to 100 changes in one call; `?atomic=true` makes it all-or-nothing.',
  History: 'The audit trail derived from the instances stream: list, compare, search, restore.',
  Operations:
    'Bulk work that does not fit one request: accepted at once (202), run in the background, observable by polling and over the WebSocket (topic `operation:<id>`).',
  Meta: 'Health, counters and this document.',
} as const;
export type Tag = keyof typeof TAGS;

/** Request headers an operation reads (the builder documents them as parameters). */
export type RequestHeader = 'if-match' | 'if-none-match' | 'idempotency-key' | 'x-change-reason';
/** Response headers an operation sets besides `X-Request-Id` (always there). */
export type ResponseHeader = 'etag' | 'location' | 'content-disposition' | 'retry-after';

export interface Example {
  summary: string;
  value: unknown;
}

export interface ResponseDoc {
  description: string;
  /** JSON body schema (`application/json`). */
  schema?: Schema;
  example?: unknown;
  /** Further media types with a plain JSON Schema (downloads). */
  media?: Record<string, Record<string, unknown>>;
  headers?: ResponseHeader[];
}

export interface RouteDoc {
  operationId: string;
  summary: string;
  description?: string;
  tags: Tag[];
  body?: Schema;
  bodyExamples?: Record<string, Example>;
  query?: Schema;
  /** Example values for query parameters, by name (deserialized form). */
  queryExamples?: Record<string, unknown>;
  params?: Schema;
  headers?: RequestHeader[];
  /** Success responses as ResponseDoc; error statuses as a description (SPEC error schema). */
  responses: Record<number, ResponseDoc | string>;
}

const instanceOk = (description: string): ResponseDoc => ({
  description,
  schema: instanceSchema,
  example: instanceExample,
  headers: ['etag'],
});

const { started_at: _started, ...runningOperation } = operationExample;
const pendingOperation = {
  ...runningOperation,
  status: 'pending',
  progress: 0,
  processed: 0,
  succeeded: 0,
  failed: 0,
  errors: [],
  updated_at: operationExample.created_at,
};

const CHANGE_ERRORS = {
  404: 'No instance with this id (or it was deleted).',
  409: 'Another change to the instance committed concurrently and was not merged; retry. Also: the new name is taken (case-insensitive), or the Idempotency-Key is in use by a request still running.',
  412: '`If-Match` names another version than the current one.',
} as const;

export const routeDocs: Record<string, RouteDoc> = {
  'GET /health': {
    operationId: 'liveness',
    summary: 'Liveness check (no token)',
    description:
      'Answers 200 while the API runs; reads no table and returns no data, so it needs no token (load balancers, uptime checks). `GET /api/health` is the authenticated readiness check that reads the table.',
    tags: ['Meta'],
    responses: {
      200: { description: 'The API runs.', schema: livenessSchema, example: { status: 'ok' } },
    },
  },
  'GET /api/health': {
    operationId: 'health',
    summary: 'Health check',
    description: 'Answers 200 when the tables answer a read, 503 (with `Retry-After`) otherwise.',
    tags: ['Meta'],
    responses: {
      200: {
        description: 'The API and its table are reachable.',
        schema: healthSchema,
        example: {
          status: 'ok',
          table: 'reachable',
          latency_ms: 4,
          time: '2026-10-01T09:30:00.000Z',
        },
      },
      503: 'The table is not reachable; retry after `Retry-After` seconds.',
    },
  },
  'GET /api/instances': {
    operationId: 'listInstances',
    summary: 'List instances',
    description:
      'Filtered, sorted and cursor-paged. Walking `next_cursor` until it is null returns each matching instance exactly once. A list filtered by one equality field (status, priority, cluster_name, model_name) or unfiltered and sorted by created_at / updated_at / name is served by key queries, never a table scan.\n\n`skip` and `page` (1-based, `limit` per page; not with `cursor` or `skip`; `(page - 1) × limit` ≤ 100,000) are for compatibility and cost O(skip): when the index keys decide every filter (none, one status / priority / cluster_name / model_name, a created range) only index keys are counted, otherwise each skipped instance is read.\n\n`total` is present when one read of the counters the stream keeps tells it: no filter, or a filter on one of status, priority, cluster_name, model_name (several values add up). With any other filter it is absent, not guessed. Eventually consistent, like `/api/instances/stats`.',
    tags: ['Instances'],
    query: listInstancesQuerySchema,
    queryExamples: { limit: 50, status: ['active', 'pending'], sort_by: 'name', sort_order: 'asc' },
    responses: {
      200: {
        description: 'One page of instances.',
        schema: instanceListSchema,
        example: {
          items: [instanceExample],
          count: 1,
          total: 1,
          limit: 50,
          next_cursor: 'eyJ2IjoxLCJrIjo0Mn0',
        },
      },
    },
  },
  'POST /api/instances': {
    operationId: 'createInstance',
    summary: 'Create an instance',
    description:
      'Strings are trimmed; unknown and read-only fields are rejected (422, each named). Answers 201 with `Location` and `ETag`.',
    tags: ['Instances'],
    body: createInstanceSchema,
    bodyExamples: {
      full: { summary: 'Most fields', value: createInstanceExample },
      minimal: {
        summary: 'Only the required fields (defaults fill the rest)',
        value: minimalCreateExample,
      },
    },
    headers: ['idempotency-key', 'x-change-reason'],
    responses: {
      201: {
        description: 'Created.',
        schema: instanceSchema,
        example: { ...instanceExample, version: 1, updated_at: instanceExample.created_at },
        headers: ['etag', 'location'],
      },
      409: 'An instance with this name exists (names are unique, case-insensitive), or the Idempotency-Key is in use by a request still running.',
    },
  },
  'GET /api/instances/by-name/{name}': {
    operationId: 'getInstanceByName',
    summary: 'Get an instance by its name',
    description:
      'Names compare as uniqueness compares them (case-insensitive, NFKC): `/by-name/LLAMA-70B` finds `llama-70b`. Percent-encode the name in the path. `ETag` and `If-None-Match` as for `GET /api/instances/{id}`.',
    tags: ['Instances'],
    params: instanceNamePathSchema,
    headers: ['if-none-match'],
    responses: {
      200: instanceOk('The instance.'),
      304: {
        description: 'Not modified: `If-None-Match` names the current version.',
        headers: ['etag'],
      },
      404: 'No instance has this name (or it was deleted).',
    },
  },
  'POST /api/instances/{id}/copy': {
    operationId: 'copyInstance',
    summary: 'Copy an instance',
    description:
      "A new instance with the source's configuration (`overrides` applied, validated like a PATCH). Without `name` it gets the first free of `<name>-copy`, `<name>-copy-2`, …: concurrent copies get different names. Its first history record carries `copied_from`. The body may be empty.",
    tags: ['Instances'],
    params: instancePathSchema,
    body: copyInstanceBodySchema,
    bodyExamples: {
      default: { summary: 'First free <name>-copy', value: {} },
      named: {
        summary: 'A name and two changes',
        value: { name: 'llama-70b-canary', overrides: { replicas: 1, priority: 'low' } },
      },
    },
    headers: ['idempotency-key', 'x-change-reason'],
    responses: {
      201: {
        description: 'The copy.',
        schema: instanceSchema,
        example: instanceExample,
        headers: ['etag', 'location'],
      },
      404: 'No instance with this id (or it was deleted).',
      409: 'The name is taken, every default copy name is taken, or the Idempotency-Key is in use by a request still running.',
    },
  },
  'GET /api/instances/{id}': {
    operationId: 'getInstance',
    summary: 'Get an instance',
    description: '`ETag` is the quoted version; `If-None-Match` with the current ETag answers 304.',
    tags: ['Instances'],
    params: instancePathSchema,
    headers: ['if-none-match'],
    responses: {
      200: instanceOk('The instance.'),
      304: {
        description: 'Not modified: `If-None-Match` names the current version.',
        headers: ['etag'],
      },
      404: 'No instance with this id (or it was deleted).',
    },
  },
  'PUT /api/instances/{id}': {
    operationId: 'putInstance',
    summary: 'Update an instance (partial, like PATCH)',
    description:
      'Only the fields sent change; `null` clears an optional text field. A request that changes nothing answers 200 and creates no version and no history. `If-Match` is honoured.',
    tags: ['Instances'],
    params: instancePathSchema,
    body: updateInstanceSchema,
    bodyExamples: {
      scale: { summary: 'Scale out and set an env var', value: updateInstanceExample },
      clear: { summary: 'Clear an optional field', value: clearFieldExample },
    },
    headers: ['if-match', 'idempotency-key', 'x-change-reason'],
    responses: { 200: instanceOk('The instance after the change.'), ...CHANGE_ERRORS },
  },
  'PATCH /api/instances/{id}': {
    operationId: 'patchInstance',
    summary: 'Update an instance (partial)',
    description:
      'Only the fields sent change; `null` clears an optional text field. A request that changes nothing answers 200 and creates no version and no history. `If-Match` is honoured.',
    tags: ['Instances'],
    params: instancePathSchema,
    body: updateInstanceSchema,
    bodyExamples: {
      scale: { summary: 'Scale out and set an env var', value: updateInstanceExample },
      clear: { summary: 'Clear an optional field', value: clearFieldExample },
    },
    headers: ['if-match', 'idempotency-key', 'x-change-reason'],
    responses: { 200: instanceOk('The instance after the change.'), ...CHANGE_ERRORS },
  },
  'DELETE /api/instances/{id}': {
    operationId: 'deleteInstance',
    summary: 'Delete an instance',
    description:
      'The name becomes free again; the history stays (and a restore can bring the instance back).',
    tags: ['Instances'],
    params: instancePathSchema,
    headers: ['if-match', 'idempotency-key', 'x-change-reason'],
    responses: {
      200: {
        description: 'Deleted.',
        schema: deleteResultSchema,
        example: { message: 'Instance deleted successfully', id: 42 },
      },
      404: CHANGE_ERRORS[404],
      409: 'The instance changed concurrently, or the Idempotency-Key is in use by a request still running.',
      412: CHANGE_ERRORS[412],
    },
  },
  'POST /api/instances/batch-delete': {
    operationId: 'batchDelete',
    summary: 'Delete up to 100 instances',
    description:
      'Each id gets its own result; one failing does not stop the others. With `?atomic=true` all are deleted in one DynamoDB transaction or none (409 names the blocking item).',
    tags: ['Batch'],
    body: batchDeleteSchema,
    bodyExamples: { three: { summary: 'Three ids', value: { ids: [42, 43, 44] } } },
    query: batchQuerySchema,
    headers: ['idempotency-key', 'x-change-reason'],
    responses: {
      200: {
        description: 'Per-item results.',
        schema: batchResultSchema,
        example: {
          results: [
            { id: 42, status: 'deleted' },
            { id: 43, status: 'deleted' },
            {
              id: 44,
              status: 'not_found',
              error: { type: 'NotFound', message: 'Instance 44 not found' },
            },
          ],
          succeeded: 2,
          failed: 1,
        },
      },
      409: 'Atomic batch rejected: the item named in `details` blocked it (nothing was changed). Also: the Idempotency-Key is in use by a request still running.',
    },
  },
  'POST /api/instances/batch-update': {
    operationId: 'batchUpdate',
    summary: 'Update up to 100 instances',
    description:
      'Each `data` is validated like a PATCH body (an invalid one gets status `invalid`); `version` makes the item conditional like `If-Match`. An item whose `data` changes nothing (`{}`, or the values it has) gets status `unchanged`: no new version, no history; it counts as succeeded. With `?atomic=true` all change in one transaction or none.',
    tags: ['Batch'],
    body: batchUpdateSchema,
    bodyExamples: {
      two: {
        summary: 'Two updates, one conditional',
        value: {
          updates: [
            { id: 42, data: { replicas: 6 }, version: 3 },
            { id: 43, data: { status: 'inactive', priority: 'low' } },
          ],
        },
      },
    },
    query: batchQuerySchema,
    headers: ['idempotency-key', 'x-change-reason'],
    responses: {
      200: {
        description: 'Per-item results.',
        schema: batchResultSchema,
        example: {
          results: [
            { id: 42, status: 'updated' },
            {
              id: 43,
              status: 'conflict',
              error: {
                type: 'PreconditionFailed',
                message: 'If-Match does not match the current version',
              },
            },
          ],
          succeeded: 1,
          failed: 1,
        },
      },
      409: 'Atomic batch rejected: the item named in `details` blocked it (nothing was changed). Also: the Idempotency-Key is in use by a request still running.',
    },
  },
  'GET /api/instances/stats': {
    operationId: 'instanceStats',
    summary: 'Instance counts',
    description:
      'Counts by status, priority, cluster and model, and the total; O(1), kept up to date from the stream (eventually consistent).',
    tags: ['Meta'],
    responses: {
      200: {
        description: 'The counters (zero counts left out).',
        schema: instanceStatsSchema,
        example: {
          total: 12,
          by_status: { active: 9, pending: 2, error: 1 },
          by_priority: { high: 4, medium: 6, low: 2 },
          by_cluster: { 'h100-us-east-1a': 7, 'a10g-eu-west-1b': 5 },
          by_model: { 'meta-llama/Llama-3.1-70B-Instruct': 5, 'openai/whisper-large-v3': 7 },
        },
      },
    },
  },
  'GET /api/instances/{id}/history': {
    operationId: 'listHistory',
    summary: "An instance's history",
    description:
      "Also for deleted instances. `offset`, `page` (1-based, `limit` per page; not with `offset` or `cursor`) or `cursor` pages; `total` counts every match. `fields` keeps records that changed any of the listed fields; `search` matches changed field names, old/new values and the actor. `sort_by` `version` (default), `history_id` or `operation_timestamp` name one order: an instance's changes commit in version order, and ids and timestamps are taken in it.",
    tags: ['History'],
    params: instanceIdPathSchema,
    query: historyListQuerySchema,
    queryExamples: { limit: 20, operation_type: ['update', 'restore'], fields: ['replicas'] },
    responses: {
      200: {
        description: 'One page of records.',
        schema: historyPageSchema,
        example: {
          items: [historyRecordExample, historyRecordV2Example],
          total: 3,
          limit: 2,
          offset: 0,
          next_cursor: 'eyJ2IjoxLCJxIjoiYWJjIiwiayI6Mn0',
          has_more: true,
        },
      },
      404: 'The instance never existed.',
    },
  },
  'GET /api/instances/{id}/history/stats': {
    operationId: 'historyStats',
    summary: "Statistics of an instance's history",
    tags: ['History'],
    params: instanceIdPathSchema,
    query: historyStatsQuerySchema,
    queryExamples: { time_range: '7d' },
    responses: {
      200: {
        description:
          'Totals by operation type, most changed fields, changes per day, first and last change.',
        schema: historyStatsSchema,
        example: {
          instance_id: 42,
          time_range: 'all',
          from: null,
          to: '2026-10-01T10:00:00.000Z',
          total_changes: 3,
          by_operation_type: { create: 1, update: 2, delete: 0, restore: 0 },
          most_changed_fields: [
            { field: 'replicas', count: 2 },
            { field: 'envs', count: 1 },
          ],
          top_actors: [
            { actor: 'bob', count: 2 },
            { actor: 'alice', count: 1 },
          ],
          changes_per_day: [{ date: '2026-10-01', count: 3 }],
          first_change: {
            history_id: 1101,
            version: 1,
            operation_type: 'create',
            operation_timestamp: '2026-10-01T09:00:12.345Z',
            actor: 'alice',
          },
          last_change: {
            history_id: 1187,
            version: 3,
            operation_type: 'update',
            operation_timestamp: '2026-10-01T09:27:12.345Z',
            actor: 'bob',
          },
        },
      },
      404: 'The instance never existed.',
    },
  },
  'GET /api/instances/{id}/history/export': {
    operationId: 'exportHistory',
    summary: "Download an instance's history",
    description:
      'Every record as a file (`Content-Disposition: attachment`). CSV follows RFC 4180 and neutralises cells starting with `= + - @`. An export that would pass the 6 MB response limit answers 413 pointing to the export operation.',
    tags: ['History'],
    params: instanceIdPathSchema,
    query: historyExportQuerySchema,
    queryExamples: { format: 'csv' },
    responses: {
      200: {
        description: 'The export file.',
        schema: historyExportSchema,
        example: {
          instance_id: 42,
          exported_at: '2026-10-01T10:00:00.000Z',
          records: [historyRecordExample],
          count: 1,
        },
        media: {
          'text/csv': { type: 'string', description: 'RFC 4180 CSV with a header row.' },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
            type: 'string',
            contentMediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            description: 'An Excel workbook (binary).',
          },
        },
        headers: ['content-disposition'],
      },
      404: 'The instance never existed.',
      413: 'The export is larger than the response limit; `details.operation` is the export operation to run instead.',
    },
  },
  'POST /api/instances/{id}/restore/{history_id}': {
    operationId: 'restoreInstance',
    summary: 'Restore an instance to a history record',
    description:
      "Sets the instance back to the record's snapshot as a new version (history `restore` with `restored_from`); re-creates a deleted instance under its id. `If-Match` is honoured. No request body.",
    tags: ['History'],
    params: restorePathSchema,
    headers: ['if-match', 'idempotency-key', 'x-change-reason'],
    responses: {
      200: instanceOk('The instance after the restore.'),
      404: 'No such history record for this instance.',
      409: "The snapshot's name is taken by another instance, the instance changed concurrently, or the Idempotency-Key is in use by a request still running.",
      412: CHANGE_ERRORS[412],
      422: 'The snapshot is not a valid instance under the current rules (each field named), or the Idempotency-Key was used with another request.',
    },
  },
  'GET /api/history/search': {
    operationId: 'searchHistory',
    summary: 'Search history across instances',
    description:
      'Newest first. A time-bounded search reads only that time range; a sparse search answers with fewer items and a cursor rather than timing out.',
    tags: ['History'],
    query: historySearchQuerySchema,
    queryExamples: { q: 'replicas', instance_ids: [42, 43], start_date: '2026-10-01' },
    responses: {
      200: {
        description: 'One page of records.',
        schema: historySearchPageSchema,
        example: {
          items: [historyRecordExample],
          count: 1,
          limit: 50,
          next_cursor: null,
          has_more: false,
        },
      },
    },
  },
  'GET /api/history/compare/{id1}/{id2}': {
    operationId: 'compareHistory',
    summary: 'Compare two history records',
    description: 'Snapshots compared field by field, `envs` key by key as `envs.KEY`.',
    tags: ['History'],
    params: comparePathSchema,
    responses: {
      200: {
        description: 'Both records and their differences.',
        schema: historyComparisonSchema,
        example: {
          record1: historyRecordV2Example,
          record2: historyRecordExample,
          differences: differencesExample,
        },
      },
      404: 'A record does not exist (`details.missing`).',
    },
  },
  'POST /api/history/batch-compare': {
    operationId: 'batchCompareHistory',
    summary: 'Compare 2–20 history records',
    description:
      'Differences between consecutive records (history_id order) and, per field, which records hold which value. A read: no Idempotency-Key needed, safe to retry.',
    tags: ['History'],
    body: batchCompareBodySchema,
    bodyExamples: { two: { summary: 'Two records', value: { record_ids: [1150, 1187] } } },
    responses: {
      200: {
        description: 'The comparison.',
        schema: historyBatchComparisonSchema,
        example: {
          record_ids: [1150, 1187],
          records: [historyRecordV2Example, historyRecordExample],
          comparisons: [{ from: 1150, to: 1187, differences: differencesExample }],
          fields: {
            replicas: [
              { value: 2, record_ids: [1150] },
              { value: 4, record_ids: [1187] },
            ],
          },
          unchanged_fields: ['cluster_name', 'model_name', 'name'],
        },
      },
      404: 'Records that do not exist (`details.missing`).',
    },
  },
  'GET /api/history/{history_id}': {
    operationId: 'getHistoryRecord',
    summary: 'Get one history record',
    tags: ['History'],
    params: historyIdPathSchema,
    responses: {
      200: {
        description: 'The record.',
        schema: historyRecordSchema,
        example: historyRecordExample,
      },
      404: 'No record with this history_id.',
    },
  },
  'POST /api/operations': {
    operationId: 'createOperation',
    summary: 'Start a long-running operation',
    description:
      '`bulk-update` / `bulk-delete` of `ids` or of the instances a list `filter` matches (exactly one of them), or an `export` of history records to a file (`result.download_url` when done). Up to 10,000 items. Every instance changed gets its own version and history record with `operation_id`.\n\nA `filter` without criteria (`{}`) matches every instance and is refused (422) unless `"all": true` confirms it; `all` with a filter that has criteria is refused too. `expected_total` (filter only): the number of instances the caller previewed; if the filter matches another number when the request arrives, nothing is started and the answer is 409 with the real count in `details.total`.',
    tags: ['Operations'],
    body: createOperationSchema,
    bodyExamples: {
      bulkUpdate: {
        summary: 'Deactivate three instances',
        value: { type: 'bulk-update', ids: [42, 43, 44], data: { status: 'inactive' } },
      },
      bulkDelete: {
        summary: 'Delete everything terminated on a cluster (the 12 instances previewed)',
        value: {
          type: 'bulk-delete',
          filter: { cluster_name: 'a10g-eu-west-1b', status: ['terminated'] },
          expected_total: 12,
        },
      },
      bulkUpdateAll: {
        summary: 'Lower the priority of every instance (an empty filter needs "all": true)',
        value: { type: 'bulk-update', filter: {}, all: true, data: { priority: 'low' } },
      },
      export: {
        summary: 'Export October history as CSV',
        value: {
          type: 'export',
          format: 'csv',
          start_date: '2026-10-01',
          end_date: '2026-10-31T23:59:59Z',
        },
      },
    },
    headers: ['idempotency-key', 'x-change-reason'],
    responses: {
      202: {
        description: 'Accepted; poll `Location` or subscribe to `operation:<operation_id>`.',
        schema: operationSchema,
        example: pendingOperation,
        headers: ['location'],
      },
      409: 'The filter matches another number of instances than `expected_total` (`details`: `expected_total`, `total`, the real count); nothing was started. Also: the Idempotency-Key is in use by a request still running.',
      422: 'The body failed validation (each bad, unknown or read-only field named in `details`): e.g. an empty filter without `"all": true`, a filter matching more than 10,000 instances, or a `__proto__` key. Also: the Idempotency-Key was used with another request.',
    },
  },
  'GET /api/operations': {
    operationId: 'listOperations',
    summary: 'Recent operations',
    description: 'Newest first, cursor-paged; filter by `status` and `type`.',
    tags: ['Operations'],
    query: listOperationsQuerySchema,
    queryExamples: { limit: 10, status: 'running' },
    responses: {
      200: {
        description: 'One page of operations.',
        schema: operationListSchema,
        example: { items: [operationExample], count: 1, limit: 10, next_cursor: null },
      },
    },
  },
  'GET /api/operations/{operation_id}': {
    operationId: 'getOperation',
    summary: 'An operation and its progress',
    description:
      'Progress never goes backwards; `errors` holds the first 100 item failures. A finished export gets a fresh presigned `result.download_url`.',
    tags: ['Operations'],
    params: operationPathSchema,
    responses: {
      200: { description: 'The operation.', schema: operationSchema, example: operationExample },
      404: 'No operation with this id (or it expired).',
    },
  },
  'DELETE /api/operations/{operation_id}': {
    operationId: 'cancelOperation',
    summary: 'Cancel an operation',
    description:
      'Stops it before its next chunk: 202 while the cancel is pending (`cancel_requested: true`), 200 once it is `cancelled`. Asking again is harmless.',
    tags: ['Operations'],
    params: operationPathSchema,
    responses: {
      200: {
        description: 'Already cancelled.',
        schema: operationSchema,
        example: {
          ...operationExample,
          status: 'cancelled',
          cancel_requested: true,
          finished_at: '2026-10-01T09:32:12.345Z',
        },
      },
      202: {
        description: 'Cancel requested; the operation stops before its next chunk.',
        schema: operationSchema,
        example: { ...operationExample, cancel_requested: true },
      },
      404: 'No operation with this id (or it expired).',
      409: 'The operation already finished.',
    },
  },
  'GET /api/openapi.json': {
    operationId: 'openApiDocument',
    summary: 'This OpenAPI 3.1 document',
    description: 'Generated from the zod schemas the handlers validate with.',
    tags: ['Meta'],
    responses: {
      200: {
        description: 'The document.',
        schema: openApiDocumentSchema,
        example: {
          openapi: '3.1.0',
          info: { title: 'Inference Instances API', version: '0.1.0' },
          paths: {},
        },
      },
    },
  },
};
