import { batchQuerySchema } from '../repo/batch.ts';
import { batchUpdateSchema } from '../repo/batch-update.ts';
import { defineRoute } from './define.ts';
import { BATCH_ERRORS, batchResults } from './docs.ts';

export const batchUpdate = defineRoute({
  method: 'POST',
  path: '/api/instances/batch-update',
  handler: 'http/batch-update',
  scope: 'instances:admin',
  tables: { instances: 'write', meta: 'write' },
  query: batchQuerySchema,
  body: batchUpdateSchema,
  idempotent: true,
  operationId: 'batchUpdate',
  summary: 'Update up to 100 instances',
  description:
    'Each `data` is validated like a PATCH body (an invalid one gets status `invalid`); `version` makes the item conditional like `If-Match`. An item whose `data` changes nothing (`{}`, or the values it has) gets status `unchanged`: no new version, no history; it counts as succeeded. With `?atomic=true` all change in one transaction or none.',
  tags: ['Batch'],
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
  headers: ['x-change-reason'],
  responses: {
    200: batchResults({
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
    }),
    ...BATCH_ERRORS,
  },
});
