/** History read side, restore and stats (issue #3). */
import { historyListQuerySchema } from '../domain/history-list-query.ts';
import { instanceIdPathSchema } from '../domain/history-params.ts';
import { historyRecordExample, historyRecordV2Example } from '../openapi/examples.ts';
import { historyPageSchema } from '../domain/history.ts';
import { defineRoute } from './define.ts';
import { HISTORY_ERRORS } from './docs.ts';

export const listHistory = defineRoute({
  method: 'GET',
  path: '/api/instances/{id}/history',
  handler: 'http/history-list',
  scope: 'read',
  tables: { history: 'read', instances: 'read' },
  params: instanceIdPathSchema,
  query: historyListQuerySchema,
  operationId: 'listHistory',
  summary: "An instance's history",
  description:
    "Also for deleted instances. `offset`, `page` (1-based, `limit` per page; not with `offset` or `cursor`) or `cursor` pages; `total` counts every match. `fields` keeps records that changed any of the listed fields; `search` matches changed field names, old/new values and the actor. `sort_by` `version` (default), `history_id` or `operation_timestamp` name one order: an instance's changes commit in version order, and ids and timestamps are taken in it.",
  tags: ['History'],
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
    ...HISTORY_ERRORS,
  },
});
