/** History read side, restore and stats (issue #3). */
import { instanceStatsSchema } from '../domain/instance-stats.ts';
import { defineRoute } from './define.ts';

export const instanceStats = defineRoute({
  method: 'GET',
  path: '/api/instances/stats',
  handler: 'http/instance-stats',
  scope: 'read',
  tables: { meta: 'read' },
  operationId: 'instanceStats',
  summary: 'Instance counts',
  description:
    'Counts by status, priority, cluster and model, and the total; O(1), kept up to date from the stream (eventually consistent).',
  tags: ['Meta'],
  responses: {
    200: {
      description: 'The counters (zero counts left out).',
      schema: instanceStatsSchema,
      example: {
        total: 12,
        by_status: { active: 9, pending: 2, error: 1 },
        by_priority: { high: 4, medium: 6, low: 2 },
        by_cluster: { 'h100-us-east-1a': 7, 'a10g-eu-west-1b': 5 },
        by_model: { 'meta-llama/Llama-3.1-70B-Instruct': 5, 'openai/whisper-large-v3': 7 },
      },
    },
  },
});
