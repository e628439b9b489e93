/**
 * The HTTP route table, declared once. The CDK stack creates one Lambda per `handler` and one
 * API Gateway route per entry; the local server matches requests against the same list and
 * calls the same handler modules.
 */
import type { TableName } from './tables.ts';
import type { BucketGrants } from './buckets.ts';
import { badRequest } from '../domain/errors.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** Required scope: `read` needs any valid token, the others the named scope (SPEC §6). */
export type Scope = 'read' | 'instances:write' | 'instances:admin';
export type Access = 'read' | 'write';

export interface RouteDef {
  readonly method: Method;
  /** API Gateway path syntax: `/api/instances/{id}`. */
  readonly path: string;
  /** Module under `functions/`, without extension; several routes may share one. */
  readonly handler: string;
  readonly scope: Scope;
  /** Tables the handler needs and the access it gets (least privilege). */
  readonly tables: Partial<Record<TableName, Access>>;
  /** S3 buckets the handler needs (env var + grant), see buckets.ts. */
  readonly buckets?: BucketGrants;
  /**
   * No authorizer and no principal (deployed: an unauthorized API Gateway route). Only for a
   * route that returns no data and touches no table: the liveness check `GET /health`.
   */
  readonly public?: true;
}

export const API_BASE = '/api';

export const routes: readonly RouteDef[] = [
  {
    method: 'GET',
    path: '/api/health',
    handler: 'http/health',
    scope: 'read',
    tables: { meta: 'read' },
  },
  // Liveness only, without a token (load balancers, uptime checks): no data, no table.
  {
    method: 'GET',
    path: '/health',
    handler: 'http/liveness',
    scope: 'read',
    tables: {},
    public: true,
  },
  {
    method: 'GET',
    path: '/api/instances',
    handler: 'http/list-instances',
    scope: 'read',
    // meta: `total` from the stats item the stream keeps (shared/repo/listing.ts).
    tables: { instances: 'read', meta: 'read' },
  },
  {
    method: 'POST',
    path: '/api/instances',
    handler: 'http/create-instance',
    scope: 'instances:write',
    tables: { instances: 'write', meta: 'write' },
  },
  {
    method: 'GET',
    path: '/api/instances/by-name/{name}',
    handler: 'http/get-instance-by-name',
    scope: 'read',
    tables: { instances: 'read', meta: 'read' },
  },
  {
    method: 'POST',
    path: '/api/instances/{id}/copy',
    handler: 'http/copy-instance',
    scope: 'instances:write',
    tables: { instances: 'write', meta: 'write' },
  },
  {
    method: 'GET',
    path: '/api/instances/{id}',
    handler: 'http/get-instance',
    scope: 'read',
    tables: { instances: 'read' },
  },
  {
    method: 'PUT',
    path: '/api/instances/{id}',
    handler: 'http/update-instance',
    scope: 'instances:write',
    tables: { instances: 'write', meta: 'write' },
  },
  {
    method: 'PATCH',
    path: '/api/instances/{id}',
    handler: 'http/update-instance',
    scope: 'instances:write',
    tables: { instances: 'write', meta: 'write' },
  },
  {
    method: 'DELETE',
    path: '/api/instances/{id}',
    handler: 'http/delete-instance',
    scope: 'instances:admin',
    tables: { instances: 'write', meta: 'write' },
  },
  {
    method: 'POST',
    path: '/api/instances/batch-delete',
    handler: 'http/batch-delete',
    scope: 'instances:admin',
    tables: { instances: 'write', meta: 'write' },
  },
  {
    method: 'POST',
    path: '/api/instances/batch-update',
    handler: 'http/batch-update',
    scope: 'instances:admin',
    tables: { instances: 'write', meta: 'write' },
  },
  // History read side, restore and stats (issue #3). `/api/history/search` and
  // `/api/history/compare/…` have more literal segments than `/api/history/{history_id}`,
  // so they win there (API Gateway and matchRoute alike).
  {
    method: 'GET',
    path: '/api/instances/stats',
    handler: 'http/instance-stats',
    scope: 'read',
    tables: { meta: 'read' },
  },
  {
    method: 'GET',
    path: '/api/instances/{id}/history',
    handler: 'http/history-list',
    scope: 'read',
    tables: { history: 'read', instances: 'read' },
  },
  {
    method: 'GET',
    path: '/api/instances/{id}/history/stats',
    handler: 'http/history-stats',
    scope: 'read',
    tables: { history: 'read', instances: 'read' },
  },
  {
    method: 'GET',
    path: '/api/instances/{id}/history/export',
    handler: 'http/history-export',
    scope: 'read',
    tables: { history: 'read', instances: 'read' },
  },
  {
    method: 'POST',
    path: '/api/instances/{id}/restore/{history_id}',
    handler: 'http/restore-instance',
    scope: 'instances:admin',
    tables: { history: 'read', instances: 'write', meta: 'write' },
  },
  {
    method: 'GET',
    path: '/api/history/search',
    handler: 'http/history-search',
    scope: 'read',
    tables: { history: 'read' },
  },
  {
    method: 'GET',
    path: '/api/history/compare/{id1}/{id2}',
    handler: 'http/history-compare',
    scope: 'read',
    tables: { history: 'read' },
  },
  {
    method: 'POST',
    path: '/api/history/batch-compare',
    handler: 'http/history-batch-compare',
    scope: 'read',
    tables: { history: 'read' },
  },
  {
    method: 'GET',
    path: '/api/history/{history_id}',
    handler: 'http/history-get',
    scope: 'read',
    tables: { history: 'read' },
  },
  // The API's own OpenAPI document (issue #7), generated from the handlers' zod schemas.
  {
    method: 'GET',
    path: '/api/openapi.json',
    handler: 'http/openapi',
    scope: 'read',
    tables: {},
  },
  // Long-running operations (issue #8, SPEC §8; docs/operations.md).
  {
    method: 'POST',
    path: '/api/operations',
    handler: 'http/operation-create',
    scope: 'instances:admin',
    // instances: resolve a list filter; meta: id chunks and Idempotency-Key records.
    tables: { operations: 'write', instances: 'read', meta: 'write' },
  },
  {
    method: 'GET',
    path: '/api/operations',
    handler: 'http/operation-list',
    scope: 'read',
    tables: { operations: 'read' },
    buckets: { exports: 'read' },
  },
  {
    method: 'GET',
    path: '/api/operations/{operation_id}',
    handler: 'http/operation-get',
    scope: 'read',
    tables: { operations: 'read' },
    // Presigns a fresh download URL for a finished export.
    buckets: { exports: 'read' },
  },
  {
    method: 'DELETE',
    path: '/api/operations/{operation_id}',
    handler: 'http/operation-cancel',
    scope: 'instances:admin',
    tables: { operations: 'write' },
  },
];

/** Catch-all: unknown routes get 404 and known paths with the wrong method 405, in our shape. */
export const fallbackRoute = { handler: 'http/fallback' } as const;

// ---------------------------------------------------------------------------------------------
// Matching. Two questions, answered from the same table:
//
// - Which resource does a path name? `matchRoute`: the most specific path that matches, where
//   specific means a literal segment beats a parameter, compared from the left, whatever the
//   method. `GET /api/instances/batch-delete` names the batch-delete resource (POST only: 405
//   with `Allow: POST`), never instance "batch-delete" (a 400 about a malformed id).
// - Which route does API Gateway invoke? `gatewayRoute`: HTTP APIs choose among the routes of
//   the request's method only ("full match for a route and method", then greedy, then
//   `$default`), so deployed that same request reaches `GET /api/instances/{id}`. The local
//   gateway copies that choice, and `http()` (shared/http/route.ts) asks `matchRoute` again
//   before running the handler and answers the 405 itself. A method no route of the path has
//   at all (`PATCH /api/history/search`) reaches `$default`, whose fallback handler asks the
//   same matcher. So local and deployed answer alike whichever Lambda API Gateway picks.
//
// HEAD is answered wherever GET is (RFC 9110 §9.3.2): every GET route also exists as a HEAD
// route (same handler; API Gateway has no implicit HEAD) and the envelope drops the body.

/** A request method the API answers: the route methods plus HEAD. */
export type RequestMethod = Method | 'HEAD';

/** The route keys API Gateway has for a route-table entry: `GET /x` brings `HEAD /x`. */
export function routeKeysOf(route: Pick<RouteDef, 'method' | 'path'>): string[] {
  const keys = [`${route.method} ${route.path}`];
  if (route.method === 'GET') keys.push(`HEAD ${route.path}`);
  return keys;
}

const byRouteKey = new Map<string, RouteDef>(
  routes.flatMap((r) => routeKeysOf(r).map((k) => [k, r] as const)),
);

/** The route-table entry behind an API Gateway route key (`HEAD /x` → the `GET /x` entry). */
export const routeForKey = (routeKey: string): RouteDef | undefined => byRouteKey.get(routeKey);

/** Compiles `/api/instances/{id}` into a matcher and its shape (true = literal segment). */
export function compilePath(path: string): {
  regex: RegExp;
  params: string[];
  literals: number;
  shape: boolean[];
} {
  const params: string[] = [];
  const shape: boolean[] = [];
  const source = path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      shape.push(!m?.[1]);
      if (m?.[1]) {
        params.push(m[1]);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const literals = shape.filter(Boolean).length;
  return { regex: new RegExp(`^${source}$`), params, literals, shape };
}

export interface RouteMatch {
  route: RouteDef;
  /** The API Gateway route key: `HEAD /api/instances/{id}` for a HEAD request. */
  routeKey: string;
  pathParameters: Record<string, string>;
}

/** One path of the table with the routes it has, by method. */
interface PathEntry {
  path: string;
  regex: RegExp;
  params: string[];
  shape: boolean[];
  byMethod: Map<RequestMethod, RouteDef>;
}

const ALLOW_ORDER: readonly RequestMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

const paths: PathEntry[] = [];
for (const route of routes) {
  let entry = paths.find((p) => p.path === route.path);
  if (!entry) {
    entry = { path: route.path, ...compilePath(route.path), byMethod: new Map() };
    paths.push(entry);
  }
  entry.byMethod.set(route.method, route);
  if (route.method === 'GET') entry.byMethod.set('HEAD', route);
}

/** Negative when `a` is more specific: the first segment where they differ is literal in `a`. */
function bySpecificity(a: PathEntry, b: PathEntry): number {
  for (let i = 0; i < Math.min(a.shape.length, b.shape.length); i++) {
    if (a.shape[i] !== b.shape[i]) return a.shape[i] ? -1 : 1;
  }
  return 0;
}

/** The paths that match, most specific first. */
function candidates(path: string): { entry: PathEntry; m: RegExpExecArray }[] {
  return paths
    .map((entry) => ({ entry, m: entry.regex.exec(path) }))
    .filter((x): x is { entry: PathEntry; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => bySpecificity(a.entry, b.entry));
}

/**
 * Decodes one path parameter. `decodeURIComponent` throws a URIError on a stray `%`, non-hex
 * digits or bytes that are not UTF-8 (`%C0%AE` is an overlong `.`); that is the caller's
 * mistake, so it becomes a typed 400 instead of escaping as a 500.
 */
function decodePathParameter(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest('Malformed percent-encoding in the path', {
      [name]: 'not valid percent-encoded UTF-8',
    });
  }
}

function matchOf(entry: PathEntry, m: RegExpExecArray, method: RequestMethod): RouteMatch {
  const route = entry.byMethod.get(method)!;
  const pathParameters: Record<string, string> = {};
  entry.params.forEach((name, i) => {
    pathParameters[name] = decodePathParameter(name, m[i + 1] ?? '');
  });
  return { route, routeKey: `${method} ${route.path}`, pathParameters };
}

const allowedAt = (entry: PathEntry): RequestMethod[] =>
  ALLOW_ORDER.filter((m) => entry.byMethod.has(m));

const asMethod = (method: string): RequestMethod | undefined =>
  (ALLOW_ORDER as readonly string[]).includes(method) ? (method as RequestMethod) : undefined;

/**
 * The resource a request names (see the comment above): its route, or the methods that path
 * has when the request's method is not one of them (→ 405), or null (→ 404). Throws a 400
 * `AppError` when the matched route's parameters are not valid percent-encoding.
 */
export function matchRoute(
  method: string,
  path: string,
): RouteMatch | { allowed: RequestMethod[] } | null {
  const [best] = candidates(path);
  if (!best) return null;
  const m = asMethod(method);
  if (!m || !best.entry.byMethod.has(m)) return { allowed: allowedAt(best.entry) };
  return matchOf(best.entry, best.m, m);
}

/**
 * The methods of the resource a path names when `method` is not one of them, else null. Like
 * `matchRoute` but without decoding parameters: `http()` asks it about a request API Gateway
 * already routed, whose parameters API Gateway decoded.
 */
export function allowedInstead(method: string, path: string): RequestMethod[] | null {
  const [best] = candidates(path);
  if (!best) return null;
  const m = asMethod(method);
  return m && best.entry.byMethod.has(m) ? null : allowedAt(best.entry);
}

/**
 * The route API Gateway invokes for a request: the most specific among the routes of its
 * method, or null for `$default`. The local gateway routes with this, like the deployed one.
 */
export function gatewayRoute(method: string, path: string): RouteMatch | null {
  const m = asMethod(method);
  if (!m) return null;
  const best = candidates(path).find((c) => c.entry.byMethod.has(m));
  return best ? matchOf(best.entry, best.m, m) : null;
}
