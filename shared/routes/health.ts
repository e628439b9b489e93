import { healthSchema } from '../openapi/meta-schemas.ts';
import { defineRoute } from './define.ts';

export const health = defineRoute({
  method: 'GET',
  path: '/api/health',
  handler: 'http/health',
  scope: 'read',
  tables: { meta: 'read' },
  operationId: 'health',
  summary: 'Health check',
  description: 'Answers 200 when the tables answer a read, 503 (with `Retry-After`) otherwise.',
  tags: ['Meta'],
  responses: {
    200: {
      description: 'The API and its table are reachable.',
      schema: healthSchema,
      example: {
        status: 'ok',
        table: 'reachable',
        latency_ms: 4,
        time: '2026-10-01T09:30:00.000Z',
      },
    },
    503: 'The table is not reachable; retry after `Retry-After` seconds.',
  },
});
