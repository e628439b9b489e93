/**
 * `http()` is the single place where an HTTP handler is wired: middy envelope (request id,
 * error rendering), JSON body rules, authorization from the route table, zod parsing of
 * body / query / path, and `Idempotency-Key` handling. A handler file only supplies schemas
 * and a function from parsed input to a result.
 */
import middy from '@middy/core';
import type * as z from 'zod/mini';
import { allowedInstead, routeForKey } from '../config/routes.ts';
import { badRequest, forbidden, methodNotAllowed } from '../domain/errors.ts';
import { parseBody, parseParams, rejectProtoKeys } from '../domain/validation.ts';
import { bracketListKeys } from '../domain/query.ts';
import { authorize, principalOf, type Principal } from './auth.ts';
import {
  httpEnvelope,
  jsonBody,
  parsedBodyOf,
  requestIdOf,
  type HttpEvent,
  type HttpResponse,
} from './middleware.ts';
import { IdempotencyStore, sha256 } from '../repo/idempotency.ts';

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

export interface HttpSpec<
  B extends z.ZodMiniType | undefined,
  Q extends z.ZodMiniType | undefined,
  P extends z.ZodMiniType | undefined,
> {
  readonly body?: B;
  readonly query?: Q;
  readonly params?: P;
  /** Store and replay responses for requests that carry `Idempotency-Key`. */
  readonly idempotency?: IdempotencyStore;
  /** No principal needed (only the `$default` fallback, which must answer CORS preflights). */
  readonly anonymous?: boolean;
}

const ANONYMOUS: Principal = { sub: 'anonymous', scopes: new Set() };
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function http<
  B extends z.ZodMiniType | undefined = undefined,
  Q extends z.ZodMiniType | undefined = undefined,
  P extends z.ZodMiniType | undefined = undefined,
>(
  spec: HttpSpec<B, Q, P>,
  fn: (req: HttpRequest<Out<B>, Out<Q>, Out<P>>) => Promise<HttpResponse>,
) {
  return middy<HttpEvent, HttpResponse>()
    .use(httpEnvelope())
    .use(jsonBody())
    .handler(async (event) => {
      const route = routeForKey(event.routeKey);
      const principal = spec.anonymous || route?.public ? ANONYMOUS : principalOf(event);
      if (route) {
        // API Gateway picked this route among those of the request's method; a more specific
        // path of another method names another resource (shared/config/routes.ts, Matching).
        const { method, path } = event.requestContext.http;
        const allowed = allowedInstead(method, path);
        if (allowed) throw methodNotAllowed(allowed);
        authorize(principal, route.scope);
      } else if (event.routeKey !== '$default') throw forbidden('Route is not in the route table');
      const req: HttpRequest<Out<B>, Out<Q>, Out<P>> = {
        event,
        requestId: requestIdOf(event),
        principal,
        params: (spec.params
          ? parseParams(spec.params, event.pathParameters ?? {}, 'path')
          : undefined) as Out<P>,
        query: (spec.query
          ? parseParams(spec.query, bracketListKeys(spec.query, event.queryStringParameters ?? {}))
          : undefined) as Out<Q>,
        body: bodyOf(spec.body, event, route !== undefined) as Out<B>,
        header: (name) => event.headers?.[name],
      };
      const key = event.headers?.['idempotency-key'];
      if (!spec.idempotency || key === undefined) return fn(req);
      return runIdempotent(spec.idempotency, key, req, () => fn(req));
    });
}

/**
 * The parsed body. A `__proto__` key is refused on every routed request, also where the
 * handler reads no body, so the rule holds for any route without each one opting in (SPEC §3).
 * The `$default` fallback is left out: an unknown route is a 404 whatever its body.
 */
function bodyOf(schema: z.ZodMiniType | undefined, event: HttpEvent, routed: boolean): unknown {
  const body = parsedBodyOf(event);
  if (routed) rejectProtoKeys(body);
  return schema ? parseBody(schema, body) : undefined;
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
  const recordKey = IdempotencyStore.recordKey(`${req.principal.sub}\n${event.routeKey}`, key);
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
