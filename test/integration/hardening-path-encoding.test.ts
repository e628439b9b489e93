/**
 * Malformed percent-encoding in a path or a query string, through the local gateway: always a
 * 400 in the SPEC error shape naming the parameter, never a 5xx (and never a search for the
 * U+FFFD a lenient decoder makes of it). Every path parameter of every route is fuzzed, and the
 * first query parameter of every GET route that takes one
 * (the route table is the list, so a new route is covered without touching this file).
 * Nothing here reaches a handler that writes, so destructive routes are safe to call.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { routes } from '../../shared/routes/index.ts';
import { shapeOf } from '../../shared/domain/schema-shape.ts';
import { api, type ApiResponse } from '../support/api.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const isUtf8 = (bytes: Uint8Array) => {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
};
const decodes = (segment: string) => {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
};
const hex = (b: number) => `%${b.toString(16).padStart(2, '0')}`;

/** A `%` that does not introduce two hex digits. */
const brokenEscape = fc.constantFrom('%', '%Z', '%ZZ', '%G0', '%4', '%%', '%-1', '%+1', '%x4');
/** Well-formed escapes of byte sequences that are not UTF-8 (overlong, truncated, surrogates…). */
const notUtf8 = fc
  .uint8Array({ minLength: 1, maxLength: 6 })
  .filter((bytes) => !isUtf8(bytes))
  .chain((bytes) =>
    fc.boolean().map((upper) => {
      const escaped = [...bytes].map(hex).join('');
      return upper ? escaped.toUpperCase() : escaped;
    }),
  );
/** Valid text around the bad part, so the decoder cannot stop at the first character. */
const around = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_~-]{0,4}$/),
  fc.constantFrom('%41', '%E2%82%AC'),
);
const malformedSegment = fc
  .tuple(around, fc.oneof(brokenEscape, notUtf8), around)
  .map(([a, bad, b]) => `${a}${bad}${b}`)
  // `%4` followed by `A` is well-formed again: keep only segments that really are malformed.
  .filter((s) => !decodes(s));

const VALID_ID = '123456789';

function expectMalformedPath(res: ApiResponse, param: string, what: string) {
  expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 300)}`).toBe(400);
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(res.headers.get('x-request-id')).toEqual(expect.any(String));
  expect(res.body, what).toEqual({
    error: {
      type: 'BadRequest',
      message: 'Malformed percent-encoding in the path',
      details: { [param]: 'not valid percent-encoded UTF-8' },
      request_id: expect.any(String),
    },
    message: 'Malformed percent-encoding in the path',
  });
}

describe('malformed percent-encoding in the path', () => {
  it.each(['/api/instances/%', '/api/instances/%ZZ', '/api/instances/%C0%AE%C0%AE'])(
    'GET %s → 400 BadRequest in the SPEC shape',
    async (path) => {
      // Act
      const res = await api('GET', path);
      // Assess
      expectMalformedPath(res, 'id', path);
    },
  );

  const withParams = routes.filter((r) => r.path.includes('{'));
  it('covers every route that has a path parameter', () => {
    expect(withParams.length).toBeGreaterThanOrEqual(10);
  });

  for (const route of withParams) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    for (const param of params) {
      it(`${route.method} ${route.path}: malformed {${param}} → 400`, async () => {
        await fc.assert(
          fc.asyncProperty(malformedSegment, async (segment) => {
            // Prepare: this parameter malformed, every other one valid
            const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
              name === param ? segment : VALID_ID,
            );
            // Act
            const res = await api(route.method, path);
            // Assess
            expectMalformedPath(res, param, `${route.method} ${path}`);
          }),
          { numRuns: 40 },
        );
      });
    }
  }
});

describe('malformed percent-encoding in the query string', () => {
  const withQuery = routes.filter((r) => r.method === 'GET' && r.query && shapeOf(r.query));
  it('covers every GET route that takes query parameters; well-formed text still works', async () => {
    expect(withQuery.length).toBeGreaterThanOrEqual(6);
    const res = await api('GET', '/api/instances?search=caf%C3%A9+x&limit=5');
    expect(res.status, res.text).toBe(200);
  });

  for (const route of withQuery) {
    const key = Object.keys(shapeOf(route.query!)!)[0]!;
    it(`${route.method} ${route.path}?${key}=<malformed> → 400`, async () => {
      await fc.assert(
        fc.asyncProperty(malformedSegment, async (value) => {
          const path = `${route.path.replace(/\{(\w+)\}/g, VALID_ID)}?${key}=${value}`;
          const res = await api(route.method, path);
          expect(res.status, `${path} → ${res.status} ${res.text.slice(0, 300)}`).toBe(400);
          expect(res.body.error, path).toEqual({
            type: 'BadRequest',
            message: 'Malformed percent-encoding in the query string',
            details: { [key]: 'not valid percent-encoded UTF-8' },
            request_id: expect.any(String),
          });
        }),
        { numRuns: 15 },
      );
    });
  }
});
