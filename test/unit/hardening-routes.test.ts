/**
 * The route matcher's path decoding: malformed percent-encoding in a path parameter is the
 * caller's mistake, a typed 400 in the SPEC shape, never a URIError that surfaces as a 500.
 */
import { describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { routes } from '../../shared/routes/index.ts';
import { RouteTable } from '../../shared/routes/match.ts';

const table = new RouteTable(routes);
const matchRoute = (method: string, path: string) => table.match(method, path);
import { AppError } from '../../shared/domain/errors.ts';
import type { HttpEvent } from '../../shared/http/middleware.ts';
import { handler as fallback } from '../../functions/http/fallback.ts';

const MALFORMED = ['%', '%ZZ', '%C0%AE%C0%AE', '%E2%82', '%FF', '%ED%A0%80', '12%', '%4'];

/** The event API Gateway sends to `$default` for a path no route matched. */
const defaultRouteEvent = (method: string, path: string): HttpEvent =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      requestId: 'gw-req-1',
      routeKey: '$default',
      http: { method, path },
      authorizer: { jwt: { claims: { sub: 'bob', scope: 'instances:read' }, scopes: [] } },
    },
  }) as unknown as HttpEvent;

describe('matchRoute path decoding', () => {
  it('decodes well-formed percent-encoding, multi-byte UTF-8 included', () => {
    // Act
    const match = matchRoute('GET', '/api/history/compare/%41b%2Fc/%E2%82%AC');
    // Assess
    expect(match).toMatchObject({ pathParameters: { id1: 'Ab/c', id2: '€' } });
  });

  it.each(MALFORMED)('throws a 400 AppError naming the parameter for %j', (segment) => {
    // Act
    let thrown: unknown;
    try {
      matchRoute('GET', `/api/instances/${segment}`);
    } catch (err) {
      thrown = err;
    }
    // Assess
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({
      status: 400,
      type: 'BadRequest',
      details: { id: 'not valid percent-encoded UTF-8' },
    });
  });

  it('names the malformed one when a route has two parameters', () => {
    expect(() => matchRoute('POST', '/api/instances/1/restore/%G1')).toThrow(
      expect.objectContaining({ details: { history_id: 'not valid percent-encoded UTF-8' } }),
    );
  });

  it('still answers 405 (no decoding needed) when no route has the method', () => {
    expect(matchRoute('PUT', '/api/history/%ZZ')).toEqual({ allowed: ['GET', 'HEAD'] });
  });
});

describe('the $default fallback handler', () => {
  it.each(['/api/instances/%', '/api/instances/%ZZ', '/api/instances/%C0%AE%C0%AE'])(
    'GET %s → 400 in the SPEC error shape',
    async (path) => {
      // Act
      const res = await fallback(defaultRouteEvent('GET', path), {} as Context);
      // Assess
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body!)).toEqual({
        error: {
          type: 'BadRequest',
          message: 'Malformed percent-encoding in the path',
          details: { id: 'not valid percent-encoded UTF-8' },
          request_id: 'gw-req-1',
        },
        message: 'Malformed percent-encoding in the path',
      });
    },
  );
});
