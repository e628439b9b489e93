import { listInstancesQuerySchema } from '../domain/query.ts';
import { instanceExample } from '../openapi/examples.ts';
import { instanceListSchema } from '../openapi/instance-responses.ts';
import { defineRoute } from './define.ts';

export const listInstances = defineRoute({
  method: 'GET',
  path: '/api/instances',
  handler: 'http/list-instances',
  scope: 'read',
  // meta: `total` from the stats the stream keeps (shared/repo/listing.ts).
  tables: { instances: 'read', meta: 'read' },
  query: listInstancesQuerySchema,
  operationId: 'listInstances',
  summary: 'List instances',
  description:
    'Filtered, sorted and cursor-paged. Walking `next_cursor` until it is null returns each matching instance exactly once. A list filtered by one equality field (status, priority, cluster_name, model_name) or unfiltered and sorted by created_at / updated_at / name is served by key queries, never a table scan.\n\n`skip` and `page` (1-based, `limit` per page; not with `cursor` or `skip`; `(page - 1) × limit` ≤ 100,000) are for compatibility and cost O(skip): when the index keys decide every filter (none, one status / priority / cluster_name / model_name, a created range) only index keys are counted, otherwise each skipped instance is read.\n\n`total` is present when one read of the counters the stream keeps tells it: no filter, or a filter on one of status, priority, cluster_name, model_name (several values add up). With any other filter it is absent, not guessed. Eventually consistent, like `/api/instances/stats`.',
  tags: ['Instances'],
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
});
