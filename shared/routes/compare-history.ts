/** History read side, restore and stats (issue #3). */
import { comparePathSchema } from '../domain/history-params.ts';
import {
  differencesExample,
  historyRecordExample,
  historyRecordV2Example,
} from '../openapi/examples.ts';
import { historyComparisonSchema } from '../domain/history.ts';
import { defineRoute } from './define.ts';

export const compareHistory = defineRoute({
  method: 'GET',
  // More literal segments than `/api/history/{history_id}`, so it wins there (API Gateway and
  // the local gateway alike).
  path: '/api/history/compare/{id1}/{id2}',
  handler: 'http/history-compare',
  scope: 'read',
  tables: { history: 'read' },
  params: comparePathSchema,
  operationId: 'compareHistory',
  summary: 'Compare two history records',
  description: 'Snapshots compared field by field, `envs` key by key as `envs.KEY`.',
  tags: ['History'],
  responses: {
    200: {
      description: 'Both records and their differences.',
      schema: historyComparisonSchema,
      example: {
        record1: historyRecordV2Example,
        record2: historyRecordExample,
        differences: differencesExample,
      },
    },
    404: 'A record does not exist (`details.missing`).',
  },
});
