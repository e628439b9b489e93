import { batchDeleteSchema, batchQuerySchema } from '../repo/batch.ts';
import { defineRoute } from './define.ts';
import { BATCH_ERRORS, batchResults } from './docs.ts';

export const batchDelete = defineRoute({
  method: 'POST',
  path: '/api/instances/batch-delete',
  handler: 'http/batch-delete',
  scope: 'instances:admin',
  tables: { instances: 'write', meta: 'write' },
  query: batchQuerySchema,
  body: batchDeleteSchema,
  idempotent: true,
  operationId: 'batchDelete',
  summary: 'Delete up to 100 instances',
  description:
    'Each id gets its own result; one failing does not stop the others. With `?atomic=true` all are deleted in one DynamoDB transaction or none (409 names the blocking item).',
  tags: ['Batch'],
  bodyExamples: { three: { summary: 'Three ids', value: { ids: [42, 43, 44] } } },
  headers: ['x-change-reason'],
  responses: {
    200: batchResults({
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
    }),
    ...BATCH_ERRORS,
  },
});
