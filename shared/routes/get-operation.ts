/** Long-running operations (issue #8, SPEC §8; docs/operations.md). */
import { operationPathSchema } from '../ops/read-schemas.ts';
import { operationExample } from '../openapi/examples.ts';
import { operationSchema } from '../ops/view.ts';
import { defineRoute } from './define.ts';
import { OPERATION_ERRORS } from './docs.ts';

export const getOperation = defineRoute({
  method: 'GET',
  path: '/api/operations/{operation_id}',
  handler: 'http/operation-get',
  scope: 'read',
  tables: { operations: 'read' },
  // Presigns a fresh download URL for a finished export.
  buckets: { exports: 'read' },
  params: operationPathSchema,
  operationId: 'getOperation',
  summary: 'An operation and its progress',
  description:
    'Progress never goes backwards; `errors` holds the first 100 item failures. A finished export gets a fresh presigned `result.download_url`.',
  tags: ['Operations'],
  responses: {
    200: { description: 'The operation.', schema: operationSchema, example: operationExample },
    ...OPERATION_ERRORS,
  },
});
