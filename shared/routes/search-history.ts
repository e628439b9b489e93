/** History read side, restore and stats (issue #3). */
import { historySearchQuerySchema } from '../domain/history-search-query.ts';
import { historyRecordExample } from '../openapi/examples.ts';
import { historySearchPageSchema } from '../domain/history.ts';
import { defineRoute } from './define.ts';

export const searchHistory = defineRoute({
  method: 'GET',
  // More literal segments than `/api/history/{history_id}`, so it wins there (API Gateway and
  // the local gateway alike).
  path: '/api/history/search',
  handler: 'http/history-search',
  scope: 'read',
  tables: { history: 'read' },
  query: historySearchQuerySchema,
  operationId: 'searchHistory',
  summary: 'Search history across instances',
  description:
    'Newest first. A time-bounded search reads only that time range; a sparse search answers with fewer items and a cursor rather than timing out.',
  tags: ['History'],
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
});
