/** Long-running operations (issue #8, SPEC §8; docs/operations.md). */
import { operationPathSchema } from '../ops/read-schemas.ts';
import { operationExample } from '../openapi/examples.ts';
import { operationSchema } from '../ops/view.ts';
import { defineRoute } from './define.ts';
import { OPERATION_ERRORS } from './docs.ts';

export const cancelOperation = defineRoute({
  method: 'DELETE',
  path: '/api/operations/{operation_id}',
  handler: 'http/operation-cancel',
  scope: 'instances:admin',
  tables: { operations: 'write' },
  params: operationPathSchema,
  operationId: 'cancelOperation',
  summary: 'Cancel an operation',
  description:
    'Stops it before its next chunk: 202 while the cancel is pending (`cancel_requested: true`), 200 once it is `cancelled`. Asking again is harmless.',
  tags: ['Operations'],
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
    ...OPERATION_ERRORS,
    409: 'The operation already finished.',
  },
});
