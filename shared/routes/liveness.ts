import { livenessSchema } from '../openapi/meta-schemas.ts';
import { defineRoute } from './define.ts';

export const liveness = defineRoute({
  method: 'GET',
  path: '/health',
  handler: 'http/liveness',
  scope: 'read',
  // Liveness only, without a token (load balancers, uptime checks): no data, no table.
  tables: {},
  public: true,
  operationId: 'liveness',
  summary: 'Liveness check (no token)',
  description:
    'Answers 200 while the API runs; reads no table and returns no data, so it needs no token (load balancers, uptime checks). `GET /api/health` is the authenticated readiness check that reads the table.',
  tags: ['Meta'],
  responses: {
    200: { description: 'The API runs.', schema: livenessSchema, example: { status: 'ok' } },
  },
});
