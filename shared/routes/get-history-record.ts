/** History read side, restore and stats (issue #3). */
import { historyIdPathSchema } from '../domain/history-params.ts';
import { historyRecordExample } from '../openapi/examples.ts';
import { historyRecordSchema } from '../domain/history.ts';
import { defineRoute } from './define.ts';

export const getHistoryRecord = defineRoute({
  method: 'GET',
  // `/api/history/search` and `/api/history/compare/…` have more literal segments, so they win
  // over this path (API Gateway and the local gateway alike).
  path: '/api/history/{history_id}',
  handler: 'http/history-get',
  scope: 'read',
  tables: { history: 'read' },
  params: historyIdPathSchema,
  operationId: 'getHistoryRecord',
  summary: 'Get one history record',
  tags: ['History'],
  responses: {
    200: {
      description: 'The record.',
      schema: historyRecordSchema,
      example: historyRecordExample,
    },
    404: 'No record with this history_id.',
  },
});
