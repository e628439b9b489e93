/** History read side, restore and stats (issue #3). */
import { historyStatsQuerySchema } from '../domain/history-stats.ts';
import { instanceIdPathSchema } from '../domain/history-params.ts';
import { historyStatsSchema } from '../domain/history.ts';
import { defineRoute } from './define.ts';
import { HISTORY_ERRORS } from './docs.ts';

export const historyStats = defineRoute({
  method: 'GET',
  path: '/api/instances/{id}/history/stats',
  handler: 'http/history-stats',
  scope: 'read',
  tables: { history: 'read', instances: 'read' },
  params: instanceIdPathSchema,
  query: historyStatsQuerySchema,
  operationId: 'historyStats',
  summary: "Statistics of an instance's history",
  tags: ['History'],
  queryExamples: { time_range: '7d' },
  responses: {
    200: {
      description:
        'Totals by operation type, most changed fields, changes per day, first and last change.',
      schema: historyStatsSchema,
      example: {
        instance_id: 42,
        time_range: 'all',
        from: null,
        to: '2026-10-01T10:00:00.000Z',
        total_changes: 3,
        by_operation_type: { create: 1, update: 2, delete: 0, restore: 0 },
        most_changed_fields: [
          { field: 'replicas', count: 2 },
          { field: 'envs', count: 1 },
        ],
        top_actors: [
          { actor: 'bob', count: 2 },
          { actor: 'alice', count: 1 },
        ],
        changes_per_day: [{ date: '2026-10-01', count: 3 }],
        first_change: {
          history_id: 1101,
          version: 1,
          operation_type: 'create',
          operation_timestamp: '2026-10-01T09:00:12.345Z',
          actor: 'alice',
        },
        last_change: {
          history_id: 1187,
          version: 3,
          operation_type: 'update',
          operation_timestamp: '2026-10-01T09:27:12.345Z',
          actor: 'bob',
        },
      },
    },
    ...HISTORY_ERRORS,
  },
});
