/**
 * The generated route key table (./table.json, written by `npm run openapi` from the
 * definitions): for code that needs where a route lives but none of its schemas — the fallback
 * handler, the typed client, an error that points the caller at another route.
 */
import generated from './table.json' with { type: 'json' };
import type { RouteKeyEntry, RouteKeyTable } from './keys.ts';

export const routeKeys: readonly RouteKeyEntry[] = (generated as RouteKeyTable).routes;

const byOperationId = new Map(routeKeys.map((r) => [r.operationId, r]));

/** The key entry of an operation; throws for an operationId no route has. */
export function routeKey(operationId: string): RouteKeyEntry {
  const entry = byOperationId.get(operationId);
  if (!entry) throw new Error(`No route for operation ${operationId}`);
  return entry;
}
