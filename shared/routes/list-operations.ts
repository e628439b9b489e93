/** Long-running operations (issue #8, SPEC §8; docs/operations.md). */
import { listOperationsQuerySchema } from '../ops/read-schemas.ts';
import { operationExample } from '../openapi/examples.ts';
import { operationListSchema } from '../ops/view.ts';
import { defineRoute } from './define.ts';

export const listOperations = defineRoute({
  method: 'GET',
  path: '/api/operations',
  handler: 'http/operation-list',
  scope: 'read',
  tables: { operations: 'read' },
  buckets: { exports: 'read' },
  query: listOperationsQuerySchema,
  operationId: 'listOperations',
  summary: 'Recent operations',
  description: 'Newest first, cursor-paged; filter by `status` and `type`.',
  tags: ['Operations'],
  queryExamples: { limit: 10, status: 'running' },
  responses: {
    200: {
      description: 'One page of operations.',
      schema: operationListSchema,
      example: { items: [operationExample], count: 1, limit: 10, next_cursor: null },
    },
  },
});
