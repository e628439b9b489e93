/**
 * The route key table: what the typed client and the fallback handler need of every route
 * (where it lives, whether a retry is safe), without any route's schemas. `npm run openapi`
 * writes it to ./table.json next to docs/openapi.json; test/unit/openapi.test.ts fails while
 * either is stale.
 */
import { isSafe, type Method } from './define.ts';
import { routes } from './index.ts';

export interface RouteKeyEntry {
  readonly operationId: string;
  readonly method: Method;
  readonly path: string;
  /** The route replays `Idempotency-Key` responses: POST/PATCH may be retried with a key. */
  readonly idempotent: boolean;
  /** The call changes nothing: retrying it is always safe. */
  readonly safe: boolean;
}

export interface RouteKeyTable {
  readonly $comment: string;
  readonly routes: readonly RouteKeyEntry[];
}

export const buildRouteKeyTable = (): RouteKeyTable => ({
  $comment:
    'Generated from shared/routes/*.ts by `npm run openapi`; do not edit (test/unit/openapi.test.ts fails while it is stale).',
  routes: routes.map((r) => ({
    operationId: r.operationId,
    method: r.method,
    path: r.path,
    idempotent: 'idempotent' in r && r.idempotent === true,
    safe: isSafe(r),
  })),
});
