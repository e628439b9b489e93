/**
 * `__proto__` keys in request bodies. JSON.parse keeps one as an own property, but zod's
 * parsing and object spreads turn it into a prototype or drop it, so `{"filter":{"__proto__":…}}`
 * used to reach the operation service as an empty filter. http() now refuses the key (422
 * naming its path) on every routed request, before any schema or handler runs.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { AppError } from '../../shared/domain/errors.ts';
import { rejectProtoKeys } from '../../shared/domain/validation.ts';
import { fallback, http } from '../../shared/http/route.ts';
import { defineRoute } from '../../shared/routes/define.ts';
import { json, type HttpEvent } from '../../shared/http/middleware.ts';
import { createOperationSchema } from '../../shared/ops/schemas.ts';

const detailsOf = (body: unknown): Record<string, unknown> | undefined => {
  try {
    rejectProtoKeys(body);
    return undefined;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.status).toBe(422);
    return err.details;
  }
};

/** The event API Gateway builds for `routeKey`, with a raw JSON body and an admin token. */
/** A route of this test: the rule must hold for any definition, whatever its schemas. */
const testRoute = <const E extends { method: 'POST' | 'DELETE'; path: string }>(
  key: E,
  schemas: { body?: z.ZodMiniType; params?: z.ZodMiniType },
) =>
  defineRoute({
    ...key,
    ...schemas,
    handler: 'http/test',
    scope: 'read',
    tables: {},
    operationId: 'test',
    summary: 'A route of this test',
    tags: [],
    responses: {},
  });

const event = (routeKey: string, body: string): HttpEvent => {
  const [method, path] = routeKey === '$default' ? ['POST', '/api/nope'] : routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    body,
    pathParameters: { id: '1' },
    isBase64Encoded: false,
    requestContext: {
      requestId: 'gw-req-1',
      routeKey,
      http: { method, path },
      authorizer: { jwt: { claims: { sub: 'admin', scope: 'instances:admin' }, scopes: [] } },
    },
  } as unknown as HttpEvent;
};
const ctx = {} as Context;

describe('rejectProtoKeys', () => {
  it('lets through bodies without the key, including look-alike keys and "__proto__" values', () => {
    // Act / Assess
    expect(detailsOf({})).toBeUndefined();
    expect(detailsOf(null)).toBeUndefined();
    expect(detailsOf('__proto__')).toBeUndefined();
    expect(
      detailsOf(
        JSON.parse(
          '{"constructor":{"prototype":1},"__proto__x":1,"x__proto__":2,"a":["__proto__",{"b":"__proto__"}]}',
        ),
      ),
    ).toBeUndefined();
  });

  it('names every path that carries the key: top level, nested objects and array items', () => {
    // Prepare
    const body = JSON.parse(
      '{"__proto__":{"x":1},"filter":{"__proto__":{"status":"active"}},' +
        '"updates":[{"id":1,"data":{}},{"id":2,"data":{"envs":{"__proto__":"x"}}}]}',
    );
    // Act
    const details = detailsOf(body);
    // Assess: own properties, so the `__proto__` entry survives JSON.stringify as written.
    expect(details && Object.keys(details).sort()).toEqual([
      '__proto__',
      'filter.__proto__',
      'updates.1.data.envs.__proto__',
    ]);
    expect(details?.['filter.__proto__']).toBe('"__proto__" is not allowed as a key');
    expect(JSON.stringify(details)).toContain(
      '"__proto__":"\\"__proto__\\" is not allowed as a key"',
    );
  });

  it('walks a body nested 20,000 levels deep without overflowing the stack', () => {
    // Prepare: the deepest a 64 KiB body can go is about 32k levels.
    const depth = 20_000;
    const body = JSON.parse(`${'['.repeat(depth)}{"__proto__":1}${']'.repeat(depth)}`);
    // Act
    const details = detailsOf(body);
    // Assess
    expect(details && Object.keys(details)).toEqual([`${'0.'.repeat(depth)}__proto__`]);
  });
});

describe('http() body parsing', () => {
  it('answers 422 naming filter.__proto__ for the bulk-delete that used to delete everything', async () => {
    // Prepare
    const fn = vi.fn(async () => json(202, {}));
    const handler = http(
      testRoute({ method: 'POST', path: '/api/operations' }, { body: createOperationSchema }),
      fn,
    );
    // Act
    const res = await handler(
      event(
        'POST /api/operations',
        '{"type":"bulk-delete","filter":{"__proto__":{"status":"active"}}}',
      ),
      ctx,
    );
    // Assess: the documented error shape, and the handler never ran.
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body!)).toMatchObject({
      error: {
        type: 'ValidationError',
        message: '"__proto__" is not allowed as a key in a request body',
        details: { 'filter.__proto__': '"__proto__" is not allowed as a key' },
        request_id: 'gw-req-1',
      },
    });
    expect(fn).not.toHaveBeenCalled();
  });

  it('refuses the key on a route whose handler reads no body', async () => {
    // Prepare
    const fn = vi.fn(async () => json(204, undefined));
    const handler = http(
      testRoute(
        { method: 'DELETE', path: '/api/instances/{id}' },
        { params: z.object({ id: z.string() }) },
      ),
      fn,
    );
    // Act
    const res = await handler(event('DELETE /api/instances/{id}', '{"__proto__":{}}'), ctx);
    // Assess
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body!).error.details).toHaveProperty(['__proto__']);
    expect(fn).not.toHaveBeenCalled();
  });

  it('leaves the $default fallback alone: an unknown route answers for itself', async () => {
    // Prepare
    const fn = vi.fn(async () => json(404, {}));
    const handler = fallback(fn);
    // Act
    const res = await handler(event('$default', '{"__proto__":{}}'), ctx);
    // Assess
    expect(res.statusCode).toBe(404);
    expect(fn).toHaveBeenCalledOnce();
  });
});
