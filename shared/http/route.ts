/**
 * `http()` is the single place where an HTTP handler is wired: middy envelope (request id,
 * error rendering), JSON body rules, authorization by the route's scope, zod parsing of
 * body / query / path with the route's schemas, and `Idempotency-Key` handling. A handler file
 * only supplies its route definition and a function from parsed input to a result.
 */
import middy from '@middy/core';
import * as z from 'zod/mini';
import { badRequest, forbidden } from '../domain/errors.ts';
import {
  bracketListKeys,
  parseBody,
  parseParams,
  refuseMalformedQuery,
  refuseRepeatedKeys,
  rejectProtoKeys,
} from '../domain/validation.ts';
import { routeKeysOf, type RouteDefinition } from '../routes/define.ts';
import { MAX_BODY_BYTES } from '../config/body.ts';
import { authorize, principalOf, type Principal } from './auth.ts';
import {
  httpEnvelope,
  jsonBody,
  parsedBodyOf,
  requestIdOf,
  type HttpEvent,
  type HttpResponse,
} from './middleware.ts';
import type { IdempotencyStore } from '../repo/idempotency.ts';
import { idempotencyRecordKey, sha256 } from '../repo/idempotency-key.ts';

export interface HttpRequest<B, Q, P> {
  readonly event: HttpEvent;
  readonly requestId: string;
  readonly principal: Principal;
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  /** Lower-case request headers. */
  header(name: string): string | undefined;
}

type Out<S> = S extends z.ZodMiniType ? z.output<S> : undefined;
/** The request a route's handler receives: its schemas' parsed sides. */
export type RequestOf<R extends RouteDefinition> = HttpRequest<
  Out<R['body']>,
  Out<R['query']>,
  Out<R['params']>
>;
type Handler<R extends RouteDefinition> = (req: RequestOf<R>) => Promise<HttpResponse>;

export interface HttpOptions {
  /** Where `Idempotency-Key` responses are kept; required when the route is `idempotent`. */
  readonly idempotency?: IdempotencyStore;
}

const ANONYMOUS: Principal = { sub: 'anonymous', scopes: new Set() };
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The middy envelope every HTTP function shares: request id, error rendering, JSON body rules. */
const envelope = (fn: (event: HttpEvent) => Promise<HttpResponse>, maxBodyBytes?: number) =>
  middy<HttpEvent, HttpResponse>().use(httpEnvelope()).use(jsonBody(maxBodyBytes)).handler(fn);

/**
 * The Lambda handler for a route (or for the routes of one path that share a handler, such as
 * PUT and PATCH, which then share their schemas): the event's route key picks the definition,
 * whose scope is checked and whose schemas parse the request before `fn` runs.
 */
export function http<R extends RouteDefinition>(
  route: R,
  fn: Handler<R>,
  options?: HttpOptions,
): ReturnType<typeof envelope>;
export function http<const Rs extends readonly [RouteDefinition, ...RouteDefinition[]]>(
  routes: Rs,
  fn: Handler<Rs[number]>,
  options?: HttpOptions,
): ReturnType<typeof envelope>;
export function http(
  route: RouteDefinition | readonly RouteDefinition[],
  fn: Handler<RouteDefinition>,
  options: HttpOptions = {},
) {
  const defs: readonly RouteDefinition[] = Array.isArray(route)
    ? route
    : [route as RouteDefinition];
  const byKey = new Map(defs.flatMap((d) => routeKeysOf(d).map((k) => [k, d] as const)));
  if (defs.some((d) => d.idempotent) && !options.idempotency) {
    throw new Error(`${defs[0]!.operationId} is idempotent: pass an IdempotencyStore`);
  }
  const maxBodyBytes = Math.max(...defs.map((d) => d.maxBodyBytes ?? MAX_BODY_BYTES));
  return envelope(async (event) => {
    const def = byKey.get(event.routeKey);
    // API Gateway only invokes this function for its own routes; anything else is a wiring fault.
    if (!def) throw forbidden('Route is not in the route table');
    const principal = def.public ? ANONYMOUS : principalOf(event);
    authorize(principal, def.scope);
    const req: RequestOf<RouteDefinition> = {
      event,
      requestId: requestIdOf(event),
      principal,
      params: (def.params
        ? parseParams(def.params, event.pathParameters ?? {}, 'path')
        : undefined) as unknown,
      query: (def.query
        ? queryOf(def.query, event)
        : noQuery(event.queryStringParameters)) as unknown,
      body: bodyOf(def.body, event) as unknown,
      header: (name) => event.headers?.[name],
    };
    const key = event.headers?.['idempotency-key'];
    if (!def.idempotent || !options.idempotency || key === undefined) return fn(req);
    return runIdempotent(options.idempotency, key, req, () => fn(req));
  }, maxBodyBytes);
}

/**
 * The handler of requests no route takes (`$default` and the shadow routes, see
 * shared/routes/match.ts). It needs no principal: it must answer CORS preflights, which carry
 * no token, and it never returns data.
 */
export function fallback(
  fn: (req: HttpRequest<undefined, undefined, undefined>) => Promise<HttpResponse>,
) {
  return envelope(async (event) =>
    fn({
      event,
      requestId: requestIdOf(event),
      principal: ANONYMOUS,
      params: undefined,
      query: undefined,
      body: undefined,
      header: (name) => event.headers?.[name],
    }),
  );
}

/** The parsed query: list parameters in any of their forms, every other one sent once. */
function queryOf(schema: z.ZodMiniType, event: HttpEvent): unknown {
  refuseMalformedQuery(event.rawQueryString ?? '');
  refuseRepeatedKeys(schema, event.rawQueryString ?? '');
  return parseParams(schema, bracketListKeys(schema, event.queryStringParameters ?? {}));
}

let noQueryParams: z.ZodMiniType | undefined;
/**
 * A route that declares no query takes no parameter: `?dry_run=true` on a DELETE must not
 * delete while looking as if it was heeded (unknown query parameters are a 400 everywhere,
 * README). Built on first use for the reason NO_BODY is.
 */
function noQuery(params: HttpEvent['queryStringParameters']): undefined {
  if (params && Object.keys(params).length > 0)
    parseParams((noQueryParams ??= z.strictObject({})), params);
  return undefined;
}

let noBody: z.ZodMiniType | undefined;
/**
 * The body of a route that declares none: nothing, or an object without fields. Anything else
 * is refused like any body's unknown fields (SPEC §3: 422, each field named), so a call that
 * sends fields this route does not read (`{"version": 3}` to a restore) is not carried out as
 * if they meant something. Built on first use: at module scope the bundler would keep it, and
 * zod with it, in the fallback Lambda, which reaches this module but parses no body.
 */
const NO_BODY = () => (noBody ??= z.optional(z.strictObject({})));

/**
 * The parsed body. A `__proto__` key is refused on every routed request, also where the
 * handler reads no body, so the rule holds for any route without each one opting in (SPEC §3).
 * The fallback is left out: an unknown route is a 404 whatever its body.
 */
function bodyOf(schema: z.ZodMiniType | undefined, event: HttpEvent): unknown {
  const body = parsedBodyOf(event);
  rejectProtoKeys(body);
  if (schema) return parseBody(schema, body);
  parseBody(NO_BODY(), body);
  return undefined;
}

async function runIdempotent(
  store: IdempotencyStore,
  key: string,
  req: HttpRequest<unknown, unknown, unknown>,
  run: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badRequest('Idempotency-Key must be 1-255 printable ASCII characters');
  }
  const { event } = req;
  const recordKey = idempotencyRecordKey(`${req.principal.sub}\n${event.routeKey}`, key);
  const payloadHash = sha256(`${event.rawPath}?${event.rawQueryString}\n${event.body ?? ''}`);
  const begun = await store.begin(recordKey, payloadHash);
  if (begun.state === 'replay') {
    return {
      ...begun.response,
      headers: { ...begun.response.headers, 'idempotent-replayed': 'true' },
    };
  }
  let response: HttpResponse;
  try {
    response = await run();
  } catch (err) {
    await store.release(recordKey).catch(() => undefined);
    throw err;
  }
  if (response.statusCode >= 200 && response.statusCode < 300) {
    await store.complete(recordKey, {
      statusCode: response.statusCode,
      headers: response.headers,
      body: typeof response.body === 'string' ? response.body : '',
    });
  } else {
    await store.release(recordKey);
  }
  return response;
}
