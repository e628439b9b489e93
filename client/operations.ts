/**
 * The client's request table, derived from the route definitions: method, path and retry flags
 * come from the generated key table (shared/routes/table.json, written by `npm run openapi`),
 * and the types of every operation's input and output from the definitions themselves
 * (type-only imports: the client carries no route schemas at run time). A route added to
 * shared/routes/ is callable as `client.call('<operationId>', …)` with no change here.
 */
import type * as z from 'zod/mini';
import type { RouteKeyEntry } from '../shared/routes/keys.ts';
import { pathOf } from '../shared/routes/define.ts';
import { routeKey } from '../shared/routes/table.ts';
import type { AnyRoute, OperationId, RouteOf } from '../shared/routes/index.ts';

/** `/things/{id}/parts/{part_id}` → `'id' | 'part_id'`. */
type PathParams<P extends string> = P extends `${string}{${infer N}}${infer Rest}`
  ? N | PathParams<Rest>
  : never;

/** Query parameters by value (the schema's parsed side), all optional; a list may be one value. */
export type QueryOf<S extends z.ZodMiniType> = {
  [K in keyof z.output<S>]?: z.output<S>[K] extends readonly (infer E)[]
    ? E | readonly E[]
    : z.output<S>[K];
};

/** What a call to an operation takes: path parameters, query and body, as its route declares. */
export type OperationInput<K extends OperationId> = ([PathParams<RouteOf<K>['path']>] extends [
  never,
]
  ? unknown
  : { params: Record<PathParams<RouteOf<K>['path']>, string | number> }) &
  (RouteOf<K> extends { query: infer Q extends z.ZodMiniType } ? { query?: QueryOf<Q> } : unknown) &
  (RouteOf<K> extends { body: infer B extends z.ZodMiniType } ? { body: z.input<B> } : unknown);

type SuccessStatus = 200 | 201 | 202;
type SchemaOf<D> = D extends { schema: infer S extends z.ZodMiniType } ? z.output<S> : never;
/** The parsed body of the operation's success response (a download's is not JSON: unknown). */
export type OperationOutput<K extends OperationId> = {
  [S in keyof RouteOf<K>['responses']]: S extends SuccessStatus
    ? SchemaOf<RouteOf<K>['responses'][S]>
    : never;
}[keyof RouteOf<K>['responses']];

export interface RouteRequest {
  method: RouteKeyEntry['method'];
  path: string;
  idempotent: boolean;
  safe: boolean;
}

/** Method, path with its parameters percent-encoded, and the route's retry flags. */
export function route(
  operationId: AnyRoute['operationId'],
  params: Readonly<Record<string, string | number>> = {},
): RouteRequest {
  const entry = routeKey(operationId);
  const path = pathOf(entry, params);
  return { method: entry.method, path, idempotent: entry.idempotent, safe: entry.safe };
}
