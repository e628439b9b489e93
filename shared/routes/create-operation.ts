/** Long-running operations (issue #8, SPEC §8; docs/operations.md). */
import { createOperationSchema } from '../ops/schemas.ts';
import { operationExample } from '../openapi/examples.ts';
import { operationSchema } from '../ops/view.ts';
import { defineRoute } from './define.ts';
import { MAX_OPERATION_BODY_BYTES } from '../config/body.ts';

const { started_at: _started, ...runningOperation } = operationExample;
/** An operation as the 202 answers it: accepted, not started. */
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

export const createOperation = defineRoute({
  method: 'POST',
  path: '/api/operations',
  handler: 'http/operation-create',
  scope: 'instances:admin',
  // instances: resolve a list filter; meta: id chunks and Idempotency-Key records.
  tables: { operations: 'write', instances: 'read', meta: 'write' },
  body: createOperationSchema,
  maxBodyBytes: MAX_OPERATION_BODY_BYTES,
  idempotent: true,
  operationId: 'createOperation',
  summary: 'Start a long-running operation',
  description:
    '`bulk-update` / `bulk-delete` of `ids` or of the instances a list `filter` matches (exactly one of them), or an `export` of history records to a file (`result.download_url` when done). Up to 10,000 items (the body may be up to 192 KiB, for 10,000 ids; `data` up to 64 KiB). Every instance changed gets its own version and history record with `operation_id`.\n\nA `filter` without criteria (`{}`) matches every instance and is refused (422) unless `"all": true` confirms it; `all` with a filter that has criteria is refused too. `expected_total` (filter only): the number of instances the caller previewed; if the filter matches another number when the request arrives, nothing is started and the answer is 409 with the real count in `details.total`.',
  tags: ['Operations'],
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
  headers: ['x-change-reason'],
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
});
