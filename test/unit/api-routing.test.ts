/**
 * Routing: a literal path segment names its resource whatever the method (405 with `Allow`,
 * never a 400 about a malformed id), HEAD is answered wherever GET is, and the liveness check
 * needs no token. Deployed, API Gateway picks among the routes of the request's method only,
 * so the shadow routes send such a request to the fallback, which answers the 405; these tests
 * pin both halves.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Context } from 'aws-lambda';
import { routes } from '../../shared/routes/index.ts';
import { routeKeysOf } from '../../shared/routes/define.ts';
import { RouteTable } from '../../shared/routes/match.ts';
import { getInstance } from '../../shared/routes/get-instance.ts';
import { http } from '../../shared/http/route.ts';
import { instanceResponse } from '../../shared/http/responses.ts';
import { notFound } from '../../shared/domain/errors.ts';
import { handler as fallback } from '../../functions/http/fallback.ts';
import type { HttpEvent, HttpResponse } from '../../shared/http/middleware.ts';
import { handler as liveness } from '../../functions/http/liveness.ts';
import { handleHttp, isHttpApiPath } from '../../infra/local/apigw-http.ts';
import { instanceExample } from '../../shared/openapi/examples.ts';
import type { Instance } from '../../shared/domain/instance.ts';

const ctx = {} as Context;
const table = new RouteTable(routes);
const matchRoute = (method: string, path: string) => table.match(method, path);

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

describe('gateway: what API Gateway invokes (routes of the method only)', () => {
  it('without shadows, GET /api/instances/batch-delete would reach GET /api/instances/{id}', () => {
    expect(table.gateway('GET', '/api/instances/batch-delete')).toMatchObject({
      routeKey: 'GET /api/instances/{id}',
    });
  });

  it('prefers the literal path among the routes of the method', () => {
    expect(table.gateway('GET', '/api/history/search')?.routeKey).toBe('GET /api/history/search');
  });

  it('sends a method no route of the path has to $default (null)', () => {
    expect(table.gateway('PATCH', '/api/history/search')).toBeNull();
  });

  it('has a HEAD route key for every GET route', () => {
    for (const route of routes.filter((r) => r.method === 'GET')) {
      expect(routeKeysOf(route)).toEqual([`GET ${route.path}`, `HEAD ${route.path}`]);
    }
    expect(routeKeysOf({ method: 'POST', path: '/x' })).toEqual(['POST /x']);
  });
});

describe('shadows: the route keys that make the gateway answer like matchRoute', () => {
  const shadows = table.shadows().map((s) => `${s.method} ${s.path}`);

  it('covers each literal path a parameterised route of another method would swallow', () => {
    expect(shadows).toEqual(
      expect.arrayContaining([
        'GET /api/instances/batch-delete',
        'HEAD /api/instances/batch-delete',
        'PUT /api/instances/batch-update',
        'DELETE /api/instances/stats',
        'PATCH /api/instances/stats',
        'GET /api/history/batch-compare',
      ]),
    );
  });

  it('never shadows a route key the table has, nor a path nothing would swallow', () => {
    const own = new Set(routes.flatMap(routeKeysOf));
    expect(shadows.filter((k) => own.has(k))).toEqual([]);
    expect(shadows.some((k) => k.endsWith(' /api/history/search'))).toBe(false);
  });

  it('with the shadows added, every shadowed request reaches a route that names its path', () => {
    const withShadows = new RouteTable([...routes, ...table.shadows()]);
    for (const { method, path } of table.shadows()) {
      expect(withShadows.gateway(method, path)?.route.path, `${method} ${path}`).toBe(path);
    }
  });
});

describe('the fallback: 405 with Allow for a shadowed route, 404 for an unknown path', () => {
  it('answers GET /api/instances/batch-delete with 405 Allow: POST', async () => {
    // Prepare: what API Gateway invokes for the shadow route.
    const event = eventFor(
      'GET /api/instances/batch-delete',
      'GET',
      '/api/instances/batch-delete',
      { anonymous: true },
    );
    // Act
    const res = await fallback(event, ctx);
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
  });

  it('answers an unknown path with 404', async () => {
    const res = await fallback(
      eventFor('$default', 'GET', '/api/nothing', { anonymous: true }),
      ctx,
    );
    expect(res.statusCode).toBe(404);
  });
});

describe('http(): the route definition decides', () => {
  it('refuses a route key that is not its own (a wiring fault) with 403, before the handler', async () => {
    const fn = vi.fn(async () => instanceResponse(instanceExample as unknown as Instance));
    const handler = http(getInstance, fn);
    const event = eventFor('PUT /api/instances/{id}', 'PUT', '/api/instances/1', {
      params: { id: '1' },
    });
    const res = await handler(event, ctx);
    expect(res.statusCode).toBe(403);
    expect(fn).not.toHaveBeenCalled();
  });

  it("lets a request through when its route key is the definition's", async () => {
    const handler = http(getInstance, async (req) =>
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
  const handler = http(getInstance, async (req) => {
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
