/** History read side, restore and stats (issue #3). */
import { batchCompareBodySchema } from '../domain/history-batch-compare.ts';
import {
  differencesExample,
  historyRecordExample,
  historyRecordV2Example,
} from '../openapi/examples.ts';
import { historyBatchComparisonSchema } from '../domain/history.ts';
import { defineRoute } from './define.ts';

export const batchCompareHistory = defineRoute({
  method: 'POST',
  path: '/api/history/batch-compare',
  handler: 'http/history-batch-compare',
  scope: 'read',
  tables: { history: 'read' },
  body: batchCompareBodySchema,
  operationId: 'batchCompareHistory',
  summary: 'Compare 2–20 history records',
  description:
    'Differences between consecutive records (history_id order) and, per field, which records hold which value. A read: no Idempotency-Key needed, safe to retry.',
  tags: ['History'],
  bodyExamples: { two: { summary: 'Two records', value: { record_ids: [1150, 1187] } } },
  responses: {
    200: {
      description: 'The comparison.',
      schema: historyBatchComparisonSchema,
      example: {
        record_ids: [1150, 1187],
        records: [historyRecordV2Example, historyRecordExample],
        comparisons: [{ from: 1150, to: 1187, differences: differencesExample }],
        fields: {
          replicas: [
            { value: 2, record_ids: [1150] },
            { value: 4, record_ids: [1187] },
          ],
        },
        unchanged_fields: ['cluster_name', 'model_name', 'name'],
      },
    },
    404: 'Records that do not exist (`details.missing`).',
  },
});
