/**
 * Property-based, for the parameters and headers added for existing clients: `page`, history
 * `sort_by`, axios `key[]` arrays, `If-Match` / `If-None-Match` values, HEAD, and every method
 * on every path. Whatever comes in: never a 5xx, errors in the SPEC shape with the top-level
 * `message`, and the invariants of a 200 hold. Writes only touch this file's own instance
 * (with bodies that change nothing) or ids ≥ 1e8, which no test creates.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { routes } from '../../shared/routes/index.ts';
import { RouteTable } from '../../shared/routes/match.ts';

const table = new RouteTable(routes);
import { api, createInstance, type ApiResponse } from '../support/api.ts';

function expectSane(res: ApiResponse, what: string) {
  expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400 && res.text !== '') {
    expect(res.body?.error?.type, what).toEqual(expect.any(String));
    expect(res.body?.error?.request_id, what).toEqual(expect.any(String));
    expect(res.body?.message, what).toBe(res.body.error.message);
  }
}

const intish = fc.oneof(
  fc.integer({ min: -5, max: 2_000 }).map(String),
  fc.constantFrom('0', '-1', '1e3', '1.5', '99999999999', '', 'x', '100001', '1000000'),
);
const word = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom('active', 'pending', 'high', 'low', 'update', 'replicas', 'version'),
);
/** `key=value` pairs from the given keys, each key plain or with axios's brackets. */
const queryOf = (keys: readonly string[], value = fc.oneof(intish, word)) =>
  fc
    .array(fc.tuple(fc.constantFrom(...keys), fc.boolean(), value), { maxLength: 5 })
    .map((pairs) =>
      pairs
        .map(
          ([k, bracket, v]) =>
            `${encodeURIComponent(bracket ? `${k}[]` : k)}=${encodeURIComponent(v)}`,
        )
        .join('&'),
    );

const LIST_KEYS = [
  'page',
  'limit',
  'skip',
  'cursor',
  'status',
  'priority',
  'cluster',
  'cluster_name',
  'model_name',
  'name',
  'sort_by',
  'sort_order',
] as const;
const HISTORY_KEYS = [
  'page',
  'limit',
  'offset',
  'cursor',
  'sort_by',
  'sort_order',
  'operation_type',
  'fields',
  'search',
] as const;

const etagish = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1, max: 5 }).map((n) => `"${n}"`),
  fc.integer({ min: 0, max: 5 }).map((n) => `W/"${n}"`),
  fc
    .array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 })
    .map((ns) => ns.map((n) => `"${n}"`).join(', ')),
  fc.constantFrom('*', '', ',', '"1" "2"', '"a,b"', 'W/', '*, "1"'),
);

let ownId = 0;
beforeAll(async () => {
  ownId = (await createInstance()).id;
  await api('PATCH', `/api/instances/${ownId}`, { replicas: 2 });
});

describe('list parameters', () => {
  it('GET /api/instances: page, arrays and the rest never break, and a 200 keeps its promises', async () => {
    await fc.assert(
      fc.asyncProperty(queryOf(LIST_KEYS), async (query) => {
        const res = await api('GET', `/api/instances?${query}`);
        expectSane(res, query);
        if (res.status === 200) {
          expect(res.body.items.length).toBeLessThanOrEqual(res.body.limit);
          expect(res.body.count).toBe(res.body.items.length);
          if ('total' in res.body) expect(Number.isInteger(res.body.total)).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('GET /api/instances/{id}/history: page, offset, sort_by and arrays', async () => {
    await fc.assert(
      fc.asyncProperty(queryOf(HISTORY_KEYS), async (query) => {
        const res = await api('GET', `/api/instances/${ownId}/history?${query}`);
        expectSane(res, query);
        if (res.status === 200) {
          expect(res.body.items.length).toBeLessThanOrEqual(res.body.limit);
          expect(res.body.offset).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('GET /api/history/search: instance_ids[] and operation_type[]', async () => {
    await fc.assert(
      fc.asyncProperty(
        queryOf(['instance_ids', 'operation_type', 'limit', 'q'] as const),
        async (query) => expectSane(await api('GET', `/api/history/search?${query}`), query),
      ),
      { numRuns: 40 },
    );
  });
});

describe('conditional headers', () => {
  it('If-Match on a PATCH that changes nothing: 200, 400 or 412, never more', async () => {
    await fc.assert(
      fc.asyncProperty(etagish, async (ifMatch) => {
        const res = await api('PATCH', `/api/instances/${ownId}`, {}, { 'if-match': ifMatch });
        expectSane(res, `If-Match: ${ifMatch}`);
        expect([200, 400, 412], `If-Match: ${ifMatch} → ${res.text}`).toContain(res.status);
        if (/W\//.test(ifMatch) && !/(^|,)\s*"/.test(ifMatch.replace(/W\/"[^"]*"/g, ''))) {
          // Only weak tags: never a match.
          expect(res.status).not.toBe(200);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('If-Match on DELETE of an id that does not exist: a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        etagish,
        fc.integer({ min: 100_000_000, max: 999_999_999 }),
        async (ifMatch, id) => {
          const res = await api('DELETE', `/api/instances/${id}`, undefined, {
            'if-match': ifMatch,
          });
          expectSane(res, `DELETE ${id} If-Match: ${ifMatch}`);
          expect(res.status).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('If-None-Match on GET: 200 or 304', async () => {
    await fc.assert(
      fc.asyncProperty(etagish, async (inm) => {
        const res = await api('GET', `/api/instances/${ownId}`, undefined, {
          'if-none-match': inm,
        });
        expect([200, 304]).toContain(res.status);
      }),
      { numRuns: 40 },
    );
  });
});

describe('methods', () => {
  const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
  const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '987654321');

  it('every method on every path: never a 5xx; a 405 names the methods that path has', async () => {
    // The API's own paths; `/health` (public) is exercised through the gateway in
    // test/unit/api-routing.test.ts.
    for (const route of routes.filter((r) => r.path.startsWith('/api/'))) {
      for (const method of METHODS) {
        const path = concrete(route.path);
        const match = table.match(method, path);
        if (match && 'route' in match) continue; // served: other tests cover it
        const res = await api(method, path, method === 'GET' || method === 'HEAD' ? undefined : {});
        expectSane(res, `${method} ${path}`);
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.get('allow')).toBe((match as { allowed: string[] }).allowed.join(', '));
        if (method === 'HEAD') expect(res.text).toBe('');
      }
    }
  });

  it('HEAD on every GET route: no body, the status GET has', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes.filter((r) => r.method === 'GET' && !r.public)),
        fc.oneof(fc.constant(String(ownId)), fc.constantFrom('0', 'abc', '%ZZ', '999999995')),
        async (route, id) => {
          const path = route.path.replace(/\{[^}]+\}/g, id);
          const [get, head] = await Promise.all([api('GET', path), api('HEAD', path)]);
          expect(head.status, path).toBe(get.status);
          expect(head.status).toBeLessThan(500);
          expect(head.text).toBe('');
        },
      ),
      { numRuns: 40 },
    );
  });
});
