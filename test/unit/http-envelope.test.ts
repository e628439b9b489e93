/** The middy chain: typed errors, AWS throttling and unknown errors become the SPEC error shape. */
import { describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { http } from '../../shared/http/route.ts';
import { health } from '../../shared/routes/health.ts';
import { conflict } from '../../shared/domain/errors.ts';
import { json } from '../../shared/http/middleware.ts';
import { LAMBDA_RESPONSE_LIMIT, lambdaResponseBytes } from '../../shared/config/lambda.ts';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { HttpEvent } from '../../shared/http/middleware.ts';

const event = (headers: Record<string, string> = {}): HttpEvent =>
  ({
    version: '2.0',
    routeKey: 'GET /api/health',
    rawPath: '/api/health',
    rawQueryString: '',
    headers,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'gw-req-1',
      routeKey: 'GET /api/health',
      http: { method: 'GET', path: '/api/health' },
      authorizer: { jwt: { claims: { sub: 'bob', scope: 'instances:read' }, scopes: [] } },
    },
  }) as unknown as HttpEvent;
const ctx = {} as Context;

describe('http() envelope', () => {
  it('renders a typed error with its status and the request id', async () => {
    const handler = http(health, async () => {
      throw conflict('taken', { name: 'x' });
    });
    const res = await handler(event({ 'x-request-id': 'abc' }), ctx);
    expect(res.statusCode).toBe(409);
    expect(res.headers['x-request-id']).toBe('abc');
    expect(JSON.parse(res.body!)).toEqual({
      error: { type: 'Conflict', message: 'taken', details: { name: 'x' }, request_id: 'abc' },
      message: 'taken',
    });
  });

  it('answers 413 in the error shape for a response API Gateway could not return', async () => {
    // 1.6 Mi quotes: 3.2 MiB of body (each one `\"`), 6.4 MiB escaped again in the payload.
    const quotes = '"'.repeat(1.6 * 1024 * 1024);
    const handler = http(health, async () => json(200, { items: [quotes] }));
    const res = await handler(event({ 'x-request-id': 'big' }), ctx);
    expect(res.statusCode).toBe(413);
    expect(res.headers['x-request-id']).toBe('big');
    expect(JSON.parse(res.body!).error).toMatchObject({
      type: 'PayloadTooLarge',
      details: { max_bytes: LAMBDA_RESPONSE_LIMIT },
      request_id: 'big',
    });
    // Just under the limit: delivered as it is.
    const fits = 'x'.repeat(5.9 * 1024 * 1024);
    const ok = await http(health, async () => json(200, { items: [fits] }))(event(), ctx);
    expect(ok.statusCode).toBe(200);
    expect(lambdaResponseBytes(ok)).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
  });

  it('turns DynamoDB throttling into 429 with Retry-After', async () => {
    const handler = http(health, async () => {
      throw new ProvisionedThroughputExceededException({ message: 'slow', $metadata: {} });
    });
    const res = await handler(event(), ctx);
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
  });

  it('answers 503 with Retry-After when the database cannot be reached', async () => {
    const handler = http(health, async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8001'), {
        code: 'ECONNREFUSED',
      });
    });
    const res = await handler(event(), ctx);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).not.toContain('127.0.0.1');
    expect(JSON.parse(res.body!).error.type).toBe('ServiceUnavailable');
  });

  it('never leaks an unexpected error: generic 500 without message or stack', async () => {
    const handler = http(health, async () => {
      throw new Error('secret table arn:aws:dynamodb:eu-west-1:123:table/x');
    });
    const res = await handler(event(), ctx);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('arn:aws');
    expect(JSON.parse(res.body!).error).toEqual({
      type: 'InternalError',
      message: 'Internal server error',
      details: {},
      request_id: 'gw-req-1',
    });
  });

  it('refuses fields sent to a route that takes no body, and runs it with none or {}', async () => {
    let ran = 0;
    const handler = http(health, async () => {
      ran++;
      return { statusCode: 200, headers: {}, body: '' };
    });
    const withBody = (body?: string): HttpEvent => ({
      ...event({ 'content-type': 'application/json' }),
      ...(body !== undefined ? { body } : {}),
    });
    expect((await handler(withBody(), ctx)).statusCode).toBe(200);
    expect((await handler(withBody('{}'), ctx)).statusCode).toBe(200);
    const fields = await handler(withBody('{"foo":1,"version":3}'), ctx);
    expect(fields.statusCode).toBe(422);
    expect(JSON.parse(fields.body!).error.details).toEqual({
      foo: 'unknown field',
      version: 'read-only field',
    });
    expect((await handler(withBody('[1,2]'), ctx)).statusCode).toBe(422);
    expect((await handler(withBody('"x"'), ctx)).statusCode).toBe(422);
    expect(ran).toBe(2);
  });

  it('refuses query parameters on a route that declares none', async () => {
    let ran = 0;
    const handler = http(health, async () => {
      ran++;
      return { statusCode: 200, headers: {}, body: '' };
    });
    const withQuery = (q?: Record<string, string>): HttpEvent => ({
      ...event(),
      ...(q ? { queryStringParameters: q } : {}),
    });
    expect((await handler(withQuery(), ctx)).statusCode).toBe(200);
    expect((await handler(withQuery({}), ctx)).statusCode).toBe(200);
    const res = await handler(withQuery({ dry_run: 'true' }), ctx);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body!).error.details).toEqual({ dry_run: 'unknown field' });
    expect(ran).toBe(2);
  });

  it('answers 401 without claims', async () => {
    const handler = http(health, async () => ({ statusCode: 200, headers: {}, body: '' }));
    const e = event();
    (e.requestContext as { authorizer?: unknown }).authorizer = undefined;
    expect((await handler(e, ctx)).statusCode).toBe(401);
  });

  it('answers 401 to a subject that cannot be recorded as the actor', async () => {
    const handler = http(health, async () => ({ statusCode: 200, headers: {}, body: '' }));
    const withSub = (sub: string) => {
      const e = event();
      (e.requestContext.authorizer!.jwt.claims as Record<string, unknown>).sub = sub;
      return e;
    };
    const messages = [];
    for (const sub of ['bob\u0000', 'eve\u202Eadmin', 'x'.repeat(257)]) {
      const res = await handler(withSub(sub), ctx);
      expect(res.statusCode, sub).toBe(401);
      messages.push(JSON.parse(res.body!).error.message);
    }
    expect(messages).toEqual([
      "The token's subject (sub) must not contain control characters (found U+0000)",
      "The token's subject (sub) must not contain invisible, formatting or bidirectional control characters (found U+202E)",
      "The token's subject (sub) must be at most 256 characters",
    ]);
    expect((await handler(withSub('x'.repeat(256)), ctx)).statusCode).toBe(200);
    expect((await handler(withSub('auth0|5f7c…@example.com'), ctx)).statusCode).toBe(200);
  });
});

describe('scopes', () => {
  it('accepts Cognito resource-server scopes (instances/write) like instances:write', async () => {
    const { principalOf, authorize } = await import('../../shared/http/auth.ts');
    const e = event();
    (e.requestContext.authorizer as any).jwt.claims = {
      sub: 'machine',
      scope: 'instances/read instances/write',
    };
    const p = principalOf(e);
    expect(() => authorize(p, 'instances:write')).not.toThrow();
    expect(() => authorize(p, 'instances:admin')).toThrow(/instances:admin/);
  });

  it('answers a CORS preflight on the $default route without a principal', async () => {
    const { handler } = await import('../../functions/http/fallback.ts');
    const e = event();
    (e as any).routeKey = '$default';
    (e.requestContext as any).routeKey = '$default';
    (e.requestContext as any).http = { method: 'OPTIONS', path: '/api/instances' };
    (e.requestContext as { authorizer?: unknown }).authorizer = undefined;
    expect((await handler(e, ctx)).statusCode).toBe(204);
    (e.requestContext as any).http = { method: 'GET', path: '/api/nope' };
    expect((await handler(e, ctx)).statusCode).toBe(404);
  });
});
