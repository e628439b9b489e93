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
  {
    method: 'GET',
    path: '/api/instances',
    handler: 'http/list-instances',
    scope: 'read',
    tables: { instances: 'read' },
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

/** Compiles `/api/instances/{id}` into a matcher; literal segments win over parameters. */
export function compilePath(path: string): { regex: RegExp; params: string[]; literals: number } {
  const params: string[] = [];
  let literals = 0;
  const source = path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m?.[1]) {
        params.push(m[1]);
        return '([^/]+)';
      }
      literals++;
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${source}$`), params, literals };
}

export interface RouteMatch {
  route: RouteDef;
  pathParameters: Record<string, string>;
}

const compiled = routes.map((route) => ({ route, ...compilePath(route.path) }));

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

/**
 * Finds the route for a method and path the way API Gateway does (most specific first).
 * Throws a 400 `AppError` when the matched route's parameters are not valid percent-encoding.
 */
export function matchRoute(
  method: string,
  path: string,
): RouteMatch | { allowed: Method[] } | null {
  const candidates = compiled
    .map((c) => ({ c, m: c.regex.exec(path) }))
    .filter((x) => x.m !== null)
    .sort((a, b) => b.c.literals - a.c.literals);
  if (candidates.length === 0) return null;
  const best = candidates.find((x) => x.c.route.method === method);
  if (!best) return { allowed: [...new Set(candidates.map((x) => x.c.route.method))] };
  const pathParameters: Record<string, string> = {};
  best.c.params.forEach((name, i) => {
    pathParameters[name] = decodePathParameter(name, best.m?.[i + 1] ?? '');
  });
  return { route: best.c.route, pathParameters };
}
