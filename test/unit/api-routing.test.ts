/**
 * Routing: a literal path segment names its resource whatever the method (405 with `Allow`,
 * never a 400 about a malformed id), HEAD is answered wherever GET is, and the liveness check
 * needs no token. Deployed, API Gateway picks among the routes of the request's method only,
 * so `http()` must answer the 405 itself; these tests pin both halves.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Context } from 'aws-lambda';
import {
  gatewayRoute,
  matchRoute,
  routeForKey,
  routeKeysOf,
  routes,
} from '../../shared/config/routes.ts';
import { http } from '../../shared/http/route.ts';
import { instanceResponse } from '../../shared/http/responses.ts';
import { instancePathSchema } from '../../shared/domain/query.ts';
import { notFound } from '../../shared/domain/errors.ts';
import type { HttpEvent, HttpResponse } from '../../shared/http/middleware.ts';
import { handler as liveness } from '../../functions/http/liveness.ts';
import { handleHttp, isHttpApiPath } from '../../infra/local/apigw-http.ts';
import { instanceExample } from '../../shared/openapi/examples.ts';
import type { Instance } from '../../shared/domain/instance.ts';

const ctx = {} as Context;

/** The payload-2.0 event API Gateway sends for a route key and a concrete path. */
function eventFor(
  routeKey: string,
  method: string,
  path: string,
  opts: { params?: Record<string, string>; scope?: string; anonymous?: boolean } = {},
): HttpEvent {
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    ...(opts.params ? { pathParameters: opts.params } : {}),
    requestContext: {
      requestId: 'gw-req-1',
      routeKey,
      http: { method, path },
      ...(opts.anonymous
        ? {}
        : {
            authorizer: {
              jwt: { claims: { sub: 'bob', scope: opts.scope ?? 'instances:read' }, scopes: [] },
            },
          }),
    },
  } as unknown as HttpEvent;
}

describe('matchRoute: a literal segment beats a parameter, whatever the method', () => {
  it.each([
    ['GET', '/api/instances/batch-delete', ['POST']],
    ['GET', '/api/history/batch-compare', ['POST']],
    ['PUT', '/api/instances/batch-update', ['POST']],
    ['DELETE', '/api/instances/stats', ['GET', 'HEAD']],
    ['PATCH', '/api/history/search', ['GET', 'HEAD']],
    ['HEAD', '/api/instances/batch-delete', ['POST']],
    ['DELETE', '/api/instances', ['GET', 'HEAD', 'POST']],
  ])('%s %s → 405, allowed %j', (method, path, allowed) => {
    expect(matchRoute(method, path)).toEqual({ allowed });
  });

  it('still routes a parameter where no literal path matches', () => {
    // Act
    const match = matchRoute('PATCH', '/api/instances/42');
    // Assess
    expect(match).toMatchObject({
      route: { method: 'PATCH', path: '/api/instances/{id}' },
      routeKey: 'PATCH /api/instances/{id}',
      pathParameters: { id: '42' },
    });
  });

  it('answers HEAD with the GET route under a HEAD route key', () => {
    expect(matchRoute('HEAD', '/api/instances/7')).toMatchObject({
      route: { method: 'GET', path: '/api/instances/{id}' },
      routeKey: 'HEAD /api/instances/{id}',
      pathParameters: { id: '7' },
    });
  });

  it('knows no path at all as null (404)', () => {
    expect(matchRoute('GET', '/api/nothing/here')).toBeNull();
  });
});

describe('gatewayRoute: what API Gateway invokes (routes of the method only)', () => {
  it('sends GET /api/instances/batch-delete to GET /api/instances/{id}, as deployed', () => {
    expect(gatewayRoute('GET', '/api/instances/batch-delete')).toMatchObject({
      routeKey: 'GET /api/instances/{id}',
    });
  });

  it('prefers the literal path among the routes of the method', () => {
    expect(gatewayRoute('GET', '/api/history/search')?.routeKey).toBe('GET /api/history/search');
  });

  it('sends a method no route of the path has to $default (null)', () => {
    expect(gatewayRoute('PATCH', '/api/history/search')).toBeNull();
  });

  it('has a HEAD route key for every GET route and maps it back to that entry', () => {
    for (const route of routes.filter((r) => r.method === 'GET')) {
      expect(routeKeysOf(route)).toEqual([`GET ${route.path}`, `HEAD ${route.path}`]);
      expect(routeForKey(`HEAD ${route.path}`)).toBe(route);
    }
    expect(routeKeysOf({ method: 'POST', path: '/x' })).toEqual(['POST /x']);
  });
});

describe('http(): the 405 API Gateway routing cannot give', () => {
  it('answers 405 with Allow before the handler runs or the id is parsed', async () => {
    // Prepare: what API Gateway invokes for GET /api/instances/batch-delete.
    const fn = vi.fn(async () => instanceResponse(instanceExample as unknown as Instance));
    const handler = http({ params: instancePathSchema }, fn);
    const event = eventFor('GET /api/instances/{id}', 'GET', '/api/instances/batch-delete', {
      params: { id: 'batch-delete' },
    });
    // Act
    const res = await handler(event, ctx);
    // Assess
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(JSON.parse(res.body!)).toEqual({
      error: {
        type: 'MethodNotAllowed',
        message: 'Method not allowed',
        details: { allowed: ['POST'] },
        request_id: 'gw-req-1',
      },
      message: 'Method not allowed',
    });
    expect(fn).not.toHaveBeenCalled();
  });

  it('answers 405, not 403, to a caller without the scope of the route it fell into', async () => {
    // PUT /api/instances/batch-update reaches PUT /api/instances/{id} (instances:write).
    const handler = http({ params: instancePathSchema }, async () => instanceResponse({} as never));
    const event = eventFor('PUT /api/instances/{id}', 'PUT', '/api/instances/batch-update', {
      params: { id: 'batch-update' },
      scope: 'instances:read',
    });
    const res = await handler(event, ctx);
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });

  it('lets a request through when its path is the route it reached', async () => {
    const handler = http({ params: instancePathSchema }, async (req) =>
      instanceResponse({ ...(instanceExample as unknown as Instance), id: req.params.id }),
    );
    const res = await handler(
      eventFor('GET /api/instances/{id}', 'GET', '/api/instances/42', { params: { id: '42' } }),
      ctx,
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!).id).toBe(42);
  });
});

describe('HEAD through http()', () => {
  const instance = instanceExample as unknown as Instance;
  const handler = http({ params: instancePathSchema }, async (req) => {
    if (req.params.id === 404) throw notFound('Instance 404 not found');
    return instanceResponse(instance);
  });
  const run = (method: 'GET' | 'HEAD', id: string): Promise<HttpResponse> =>
    handler(
      eventFor(`${method} /api/instances/{id}`, method, `/api/instances/${id}`, {
        params: { id },
      }),
      ctx,
    );

  it('has the status and headers of GET and an empty body', async () => {
    // Act
    const [get, head] = await Promise.all([run('GET', '42'), run('HEAD', '42')]);
    // Assess
    expect(get.body).not.toBe('');
    expect(head.statusCode).toBe(get.statusCode);
    expect(head.headers).toEqual(get.headers);
    expect(head.headers.etag).toBe(`"${instance.version}"`);
    expect(head.body).toBe('');
  });

  it('drops the body of an error too', async () => {
    const [get, head] = await Promise.all([run('GET', '404'), run('HEAD', '404')]);
    expect(get.statusCode).toBe(404);
    expect(head.statusCode).toBe(404);
    expect(head.headers).toEqual(get.headers);
    expect(head.body).toBe('');
  });
});

describe('GET /health (liveness)', () => {
  it('answers without any token or claims and says nothing else', async () => {
    // Act
    const res = await liveness(eventFor('GET /health', 'GET', '/health', { anonymous: true }), ctx);
    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!)).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('is the only public route, and it reads no table', () => {
    const open = routes.filter((r) => r.public);
    expect(open.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /health']);
    expect(open[0]!.tables).toEqual({});
  });
});

describe('isHttpApiPath: what the local server hands the HTTP API', () => {
  it.each([
    ['/api', true],
    ['/api/instances/1', true],
    ['/health', true],
    ['/healthz', false],
    ['/docs', false],
    ['/ws', false],
    ['/apix', false],
  ])('%s → %s', (path, served) => {
    expect(isHttpApiPath(path)).toBe(served);
  });
});

describe('local gateway: the public route skips the authorizer', () => {
  let server: Server;
  let base = '';
  const authorizer = vi.fn(async () => null); // every token is refused

  beforeAll(async () => {
    server = createServer((req, res) => {
      handleHttp(req, res, { authorizer, domainName: 'localhost', corsOrigins: [] }).catch(() =>
        res.destroy(),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('GET /health → 200 without a token, the authorizer never asked', async () => {
    authorizer.mockClear();
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(authorizer).not.toHaveBeenCalled();
  });

  it('HEAD /health → 200, the same headers, no body', async () => {
    const get = await fetch(`${base}/health`);
    const head = await fetch(`${base}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(head.headers.get('cache-control')).toBe('no-store');
    expect(await head.text()).toBe('');
  });

  it('GET /api/health still needs a token (API Gateway’s 401 body)', async () => {
    const res = await fetch(`${base}/api/health`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
  });
});
