/**
 * Local API Gateway HTTP API: turns a Node request into a payload-2.0 event, routes it with the
 * shared route table and calls the very handler module CDK deploys for that route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { routes } from '../../shared/routes/index.ts';
import { API_BASE, FALLBACK_HANDLER } from '../../shared/routes/define.ts';
import { RouteTable, type RequestMethod, type RouteMatch } from '../../shared/routes/match.ts';
import { AppError } from '../../shared/domain/errors.ts';
import { loadHandler } from './handlers.ts';
import { exceedsLambdaResponse } from '../../shared/config/lambda.ts';
import { lambdaContext } from './lambda-context.ts';
import {
  CORS_ALLOW_HEADERS,
  CORS_EXPOSE_HEADERS,
  CORS_MAX_AGE_SECONDS,
} from '../../shared/config/cors.ts';

interface GatewayRoute {
  readonly method: RequestMethod;
  readonly path: string;
  readonly handler: string;
  readonly public?: true;
}

/** The routes CDK creates: every definition's, plus the shadows that go to the fallback. */
const gatewayTable = new RouteTable<GatewayRoute>([
  ...routes,
  ...new RouteTable(routes).shadows().map((s) => ({ ...s, handler: FALLBACK_HANDLER })),
]);

/** Route paths outside `/api` (the public `/health`); API Gateway serves them at the root. */
const ROOT_PATHS = new Set(
  routes.filter((r) => !r.path.startsWith(`${API_BASE}/`)).map((r) => r.path),
);

/** True for a path the HTTP API serves: under `/api`, or a route path outside it. */
export const isHttpApiPath = (path: string): boolean =>
  path === API_BASE || path.startsWith(`${API_BASE}/`) || ROOT_PATHS.has(path);

/** API Gateway's own payload limit for HTTP APIs. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;
const TEXT_TYPES = /^(application\/(json|.*\+json|xml|x-www-form-urlencoded)|text\/)/i;

export type Claims = Record<string, string | number | boolean | string[]>;
/** Verifies the bearer token like the JWT authorizer; returns claims or null (→ 401). */
export type Authorizer = (authorization: string | undefined) => Promise<Claims | null>;

export interface HttpGatewayOptions {
  authorizer: Authorizer;
  domainName: string;
  /** Allowed browser origins (`*` allows any); empty = no CORS headers, like no corsPreflight. */
  corsOrigins: readonly string[];
}

/** API Gateway's CORS behaviour: preflights are answered before any authorizer or route. */
function corsHeaders(
  origin: string | undefined,
  allowed: readonly string[],
): Record<string, string> {
  if (!origin || !(allowed.includes('*') || allowed.includes(origin))) return {};
  return {
    'access-control-allow-origin': allowed.includes('*') ? '*' : origin,
    'access-control-expose-headers': CORS_EXPOSE_HEADERS.join(','),
    vary: 'origin',
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= GATEWAY_MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > GATEWAY_MAX_BODY ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Repeated query keys and headers are comma-joined, as payload 2.0 does. */
function joinMulti(pairs: Iterable<[string, string]>, lower: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k0, v] of pairs) {
    const k = lower ? k0.toLowerCase() : k0;
    out[k] = out[k] === undefined ? v : `${out[k]},${v}`;
  }
  return out;
}

/**
 * The route API Gateway invokes (among the routes of the request's method, shadows included, so
 * `GET /api/instances/batch-delete` reaches the fallback as it does deployed), or null for
 * `$default` (the fallback too). A path whose percent-encoding does not decode matches no route
 * here; the fallback handler runs the same matcher, gets its typed 400 and renders it in the
 * SPEC shape, so the answer is a 400 from the one error renderer rather than a gateway-made body.
 */
function routeOf(method: string, path: string): RouteMatch<GatewayRoute> | null {
  try {
    return gatewayTable.gateway(method, path);
  } catch (err) {
    if (err instanceof AppError && err.status === 400) return null;
    throw err;
  }
}

export async function handleHttp(
  req: IncomingMessage,
  res: ServerResponse,
  opts: HttpGatewayOptions,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  const body = await readBody(req);
  const requestId = randomUUID();
  if (body === 'too_large') {
    res.writeHead(413, { 'content-type': 'application/json', 'apigw-requestid': requestId });
    res.end(JSON.stringify({ message: 'Request Entity Too Large' }));
    return;
  }
  const headerPairs: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headerPairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  const headers = joinMulti(headerPairs, true);
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  delete headers.cookie;
  const cors = corsHeaders(headers.origin, opts.corsOrigins);
  if (method === 'OPTIONS' && headers['access-control-request-method'] && opts.corsOrigins.length) {
    res.writeHead(204, {
      ...cors,
      'access-control-allow-methods': [...new Set(routes.map((r) => r.method))].join(','),
      'access-control-allow-headers': CORS_ALLOW_HEADERS.join(','),
      'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
      'apigw-requestid': requestId,
    });
    res.end();
    return;
  }

  const routed = routeOf(method, url.pathname);
  // A public route has no authorizer deployed (HttpNoneAuthorizer): no check, no claims.
  const claims = routed?.route.public ? undefined : await opts.authorizer(headers.authorization);
  if (!claims && !routed?.route.public) {
    res.writeHead(401, {
      ...cors,
      'content-type': 'application/json',
      'www-authenticate': 'Bearer',
      'apigw-requestid': requestId,
    });
    res.end(JSON.stringify({ message: 'Unauthorized' }));
    return;
  }

  const routeKey = routed ? routed.routeKey : '$default';
  const handlerName = routed ? routed.route.handler : FALLBACK_HANDLER;
  // Text that is not valid UTF-8 travels base64-encoded, as API Gateway sends binary bodies,
  // so the handler sees the bytes the client sent.
  const isText =
    body.length === 0 || (TEXT_TYPES.test(headers['content-type'] ?? '') && isUtf8(body));
  const now = new Date();
  const query = joinMulti(url.searchParams.entries(), false);
  const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(routed && Object.keys(routed.pathParameters).length
      ? { pathParameters: routed.pathParameters }
      : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: opts.domainName,
      domainPrefix: opts.domainName.split('.')[0] ?? 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      // A public route's event carries no authorizer at all, which this event type cannot say.
      ...((claims
        ? { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } } }
        : {}) as {
        authorizer: APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer'];
      }),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };

  let result: APIGatewayProxyStructuredResultV2;
  try {
    const handler = await loadHandler<typeof event, APIGatewayProxyStructuredResultV2>(handlerName);
    result = await handler(event, lambdaContext(handlerName.replace('/', '-'), requestId));
  } catch (err) {
    // What API Gateway answers when the integration fails.
    console.error(`[local] ${handlerName} threw`, err);
    result = {
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Internal Server Error' }),
    };
  }
  if (exceedsLambdaResponse(result)) {
    console.error(`[local] ${handlerName} returned more than 6 MB: API Gateway would answer 502`);
    res.writeHead(502, { 'content-type': 'application/json', 'apigw-requestid': requestId });
    res.end(JSON.stringify({ message: 'Internal Server Error' }));
    return;
  }
  const out = result.isBase64Encoded
    ? Buffer.from(result.body ?? '', 'base64')
    : Buffer.from(result.body ?? '', 'utf8');
  res.writeHead(result.statusCode ?? 200, {
    ...(result.headers as Record<string, string>),
    ...cors,
    'apigw-requestid': requestId,
  });
  res.end(method === 'HEAD' ? undefined : out);
}
