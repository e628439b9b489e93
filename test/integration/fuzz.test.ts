/**
 * Property-based: random bodies, query strings and ids against every route of the route table.
 * Whatever comes in, the answer is never a 5xx, and every error has the SPEC shape.
 * Destructive routes only ever see ids ≥ 1e8, which no other test file creates.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { routes } from '../../shared/routes/index.ts';
import { INSTANCE_FIELDS } from '../../shared/domain/fields.ts';
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

/** Every field of the instance, then the other body keys the routes read. */
const FIELDS = [...INSTANCE_FIELDS, 'ids', 'updates', 'data'];
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

/** Keys that name Object.prototype members, `__proto__` first. */
const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
];
/** Invisible, bidi-control, control and unpaired-surrogate characters. */
const HOSTILE_CHARS = [
  '\u200B',
  '\u200D',
  '\u202E',
  '\u2066',
  '\u00AD',
  '\uFE0F',
  '\u{E0041}',
  '\u0000',
  '\u0085',
  '\uD800',
];
const hostileText = fc
  .tuple(
    fc.string({ maxLength: 6 }),
    fc.constantFrom(...HOSTILE_CHARS),
    fc.string({ maxLength: 6 }),
  )
  .map(([a, c, b]) => `${a}${c}${b}`);

/**
 * JSON text written by hand, so a key named `__proto__` reaches the server as an own key at
 * any depth (an object literal or JSON.stringify would turn it into a prototype or drop it).
 */
type Tree = { kind: 'leaf'; json: string } | { kind: 'obj'; entries: [string, Tree][] };
const toJson = (t: Tree): string =>
  t.kind === 'leaf'
    ? t.json
    : `{${t.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
const hostileTree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .oneof(hostileText, fc.string({ maxLength: 8 }), fc.integer({ min: -5, max: 200 }))
      .map((v): Tree => ({ kind: 'leaf', json: JSON.stringify(v) })),
    fc
      .array(
        fc.tuple(
          fc.constantFrom(...FIELDS, ...PROTO_KEYS, 'filter', 'type', 'overrides'),
          tie('tree'),
        ),
        { maxLength: 4 },
      )
      .map((entries): Tree => ({ kind: 'obj', entries })),
  ),
})).tree;
/** A valid create body with one hostile part: a prototype-named key or a hostile text value. */
const hostileBody = fc
  .tuple(fc.constantFrom(...FIELDS, ...PROTO_KEYS, 'envs'), hostileTree, fc.boolean())
  .map(([key, tree, nested]) => {
    const base: [string, Tree][] = Object.entries({
      name: `fuzz-${Math.random().toString(36).slice(2, 10)}`,
      model_name: 'm',
      cluster_name: 'c',
      image_tag: 't',
    }).map(([k, v]) => [k, { kind: 'leaf', json: JSON.stringify(v) }]);
    const part: Tree = nested ? { kind: 'obj', entries: [[key, tree]] } : tree;
    return toJson({ kind: 'obj', entries: [...base, [nested ? 'envs' : key, part]] });
  });

describe('every route with a body survives prototype-named keys and invisible characters', () => {
  for (const route of routes.filter(
    (r) => r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH',
  )) {
    it(`${route.method} ${route.path}`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileBody, SAFE_ID, async (body, id) => {
          const path = route.path.replace(/\{[^}]+\}/g, String(id));
          const res = await api(route.method, path, body, { 'content-type': 'application/json' });
          expectSane(res, `${route.method} ${path} ${body}`);
        }),
        { numRuns: 40 },
      );
    });
  }
});
