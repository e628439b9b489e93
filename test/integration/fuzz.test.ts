/**
 * Property-based: random bodies, query strings and ids against every route of the route table.
 * Whatever comes in, the answer is never a 5xx, and every error has the SPEC shape.
 * Destructive routes only ever see ids ≥ 1e8, which no other test file creates.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { routes } from '../../shared/config/routes.ts';
import { api, createInstance } from '../support/api.ts';

const SAFE_ID = fc.integer({ min: 100_000_000, max: 999_999_999 });
const idSegment = fc.oneof(
  SAFE_ID.map(String),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom('0', '-1', '1e3', '%00', '..'),
);

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const FIELDS = [
  'name',
  'model_name',
  'cluster_name',
  'image_tag',
  'replicas',
  'pp',
  'cp',
  'tp',
  'status',
  'priority',
  'envs',
  'description',
  'id',
  'version',
  'ids',
  'updates',
  'data',
];
const bodyish = fc.oneof(
  fc
    .dictionary(fc.constantFrom(...FIELDS), jsonValue, { maxKeys: 6 })
    .map((o) => JSON.stringify(o)),
  jsonValue.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
);
const QUERY_KEYS = [
  'limit',
  'cursor',
  'skip',
  'name',
  'search',
  'status',
  'priority',
  'sort_by',
  'sort_order',
  'created_after',
  'created_before',
  'atomic',
  'cluster',
  'x',
];
const queryish = fc
  .array(
    fc.tuple(
      fc.constantFrom(...QUERY_KEYS),
      fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String)),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));

function expectSane(res: { status: number; body: any; text: string }, what: string) {
  expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.body?.error?.type, what).toEqual(expect.any(String));
    expect(res.body?.error?.request_id, what).toEqual(expect.any(String));
    expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  }
}

describe('every route survives random input', () => {
  let ownId = 0;
  beforeAll(async () => {
    ownId = (await createInstance()).id;
  });

  for (const route of routes) {
    it(`${route.method} ${route.path}`, async () => {
      await fc.assert(
        fc.asyncProperty(
          idSegment,
          bodyish,
          queryish,
          fc.boolean(),
          fc.constantFrom('application/json', 'text/plain', ''),
          async (id, body, query, useOwn, ctype) => {
            const destructive = route.method === 'DELETE' || route.path.includes('batch');
            const idValue = useOwn && !destructive ? String(ownId) : id;
            const path = route.path.replace(/\{[^}]+\}/g, idValue);
            const safeBody = destructive ? body.replace(/\d+/g, '123456789') : body;
            const headers: Record<string, string> = ctype ? { 'content-type': ctype } : {};
            const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
            const res = await api(
              route.method,
              `${path}?${query}`,
              hasBody ? safeBody : undefined,
              headers,
            );
            expectSane(res, `${route.method} ${path}?${query} ${hasBody ? safeBody : ''}`);
          },
        ),
        { numRuns: 80 },
      );
    });
  }
});
