/**
 * What an HTTP route is, declared once per route in its own file under `shared/routes/`.
 *
 * A definition carries everything about the route: where it lives (method, path), who may call
 * it (scope), what it touches (tables, buckets), what it accepts and answers (zod schemas) and
 * how it is documented. Everything else derives from it: the handler's wiring (`http(route, fn)`
 * in shared/http/route.ts), the CDK routes and grants, the local gateway, the OpenAPI document
 * and the typed client's request table. A handler imports only its own definition, so a Lambda
 * bundle carries only its own route's schemas; the list of every route (./index.ts) is for the
 * build, the local stack and the docs.
 */
import type * as z from 'zod/mini';
import type { Access, TableName } from '../config/tables.ts';
import type { BucketGrants } from '../config/buckets.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** Required scope: `read` needs any valid token, the others the named scope (SPEC §6). */
export type Scope = 'read' | 'instances:write' | 'instances:admin';

export const API_BASE = '/api';
/** The handler of every request no route takes: 404, or 405 with `Allow` (shared/routes/match.ts). */
export const FALLBACK_HANDLER = 'http/fallback';

export const TAGS = {
  Instances: 'Create, read, change and retire inference instances.',
  Batch: 'Up to 100 changes in one call; `?atomic=true` makes it all-or-nothing.',
  History: 'The audit trail derived from the instances stream: list, compare, search, restore.',
  Operations:
    'Bulk work that does not fit one request: accepted at once (202), run in the background, observable by polling and over the WebSocket (topic `operation:<id>`).',
  Meta: 'Health, counters and this document.',
} as const;
export type Tag = keyof typeof TAGS;

/**
 * Request headers an operation reads besides `X-Request-Id` (the OpenAPI builder documents them
 * as parameters). `Idempotency-Key` follows from `idempotent`.
 */
export type RequestHeader = 'if-match' | 'if-none-match' | 'x-change-reason';
/** Response headers an operation sets besides `X-Request-Id` (always there). */
export type ResponseHeader = 'etag' | 'location' | 'content-disposition' | 'retry-after';

type Schema = z.ZodMiniType;

export interface Example {
  readonly summary: string;
  readonly value: unknown;
}

export interface ResponseDoc {
  readonly description: string;
  /** JSON body schema (`application/json`), on its output side. */
  readonly schema?: Schema;
  readonly example?: unknown;
  /** Further media types with a plain JSON Schema (downloads). */
  readonly media?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly headers?: readonly ResponseHeader[];
}

export interface RouteDefinition {
  readonly method: Method;
  /** API Gateway path syntax: `/api/instances/{id}`. */
  readonly path: string;
  /** Module under `functions/`, without extension; PUT and PATCH of one path share one. */
  readonly handler: string;
  readonly scope: Scope;
  /** Tables the handler needs and the access it gets (least privilege). */
  readonly tables: Readonly<Partial<Record<TableName, Access>>>;
  /** S3 buckets the handler needs (env var + grant), see shared/config/buckets.ts. */
  readonly buckets?: BucketGrants;
  /**
   * No authorizer and no principal (deployed: an unauthorized API Gateway route). Only for a
   * route that returns no data and touches no table: the liveness check `GET /health`.
   */
  readonly public?: true;
  /** Path parameters, validated after percent-decoding. */
  readonly params?: Schema;
  /** Query parameters (lists: comma-separated, repeated or `key[]`). */
  readonly query?: Schema;
  /** JSON body, validated on its input side. */
  readonly body?: Schema;
  /** A larger body limit than MAX_BODY_BYTES (shared/config/body.ts), for a route that needs it. */
  readonly maxBodyBytes?: number;
  /**
   * Responses are stored and replayed for requests that carry `Idempotency-Key`, so a client
   * may retry the call (the typed client sends a key by default).
   */
  readonly idempotent?: true;

  // Documentation (OpenAPI operation)
  /** Also the typed client's method name. */
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly Tag[];
  readonly bodyExamples?: Readonly<Record<string, Example>>;
  /** Example values for query parameters, by name (deserialized form). */
  readonly queryExamples?: Readonly<Record<string, unknown>>;
  readonly headers?: readonly RequestHeader[];
  /**
   * Success responses as a ResponseDoc; error statuses as a description (the SPEC error shape).
   * Errors that follow from the route's shape (auth, scope, body, query, idempotency) are added
   * by the OpenAPI builder; list the ones that depend on what the handler does.
   */
  readonly responses: Readonly<Record<number, ResponseDoc | string>>;
}

/** Identity with the literal type kept, so handlers and the client infer from the definition. */
export const defineRoute = <const R extends RouteDefinition>(route: R): R => route;

/** The route keys API Gateway has for a route: `GET /x` brings `HEAD /x` (no implicit HEAD). */
export function routeKeysOf(route: Pick<RouteDefinition, 'method' | 'path'>): string[] {
  const keys = [`${route.method} ${route.path}`];
  if (route.method === 'GET') keys.push(`HEAD ${route.path}`);
  return keys;
}

/** The path with its parameters filled in and percent-encoded: `/api/instances/42`. */
export function pathOf(
  route: Pick<RouteDefinition, 'path' | 'operationId'>,
  params: Readonly<Record<string, string | number>> = {},
): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined)
      throw new Error(`${route.operationId}: path parameter ${name} is missing`);
    return encodeURIComponent(String(value));
  });
}

/**
 * A call that changes nothing may be repeated whatever its method: every `read` route (a POST
 * such as batch-compare included).
 */
export const isSafe = (route: Pick<RouteDefinition, 'scope' | 'method'>): boolean =>
  route.method === 'GET' || route.scope === 'read';
