import { liveness } from '../../shared/routes/liveness.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

/**
 * GET /health: liveness only, for load balancers and uptime checks that carry no token. It
 * answers without a principal, reads no table and returns nothing about the data;
 * GET /api/health (authenticated) is the readiness check that reads the table.
 */
export const handler = http(liveness, async () =>
  ok({ status: 'ok' }, { 'cache-control': 'no-store' }),
);
