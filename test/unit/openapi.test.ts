/**
 * The OpenAPI document and the key table, both derived from the route definitions
 * (shared/routes/): one operation per definition, each definition taken by the handler it
 * names, valid OpenAPI 3.1 by a real validator, with examples that satisfy both the JSON Schemas
 * and the zod schemas they came from, and both generated files current.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type * as z from 'zod/mini';
import type { Context } from 'aws-lambda';
import { routes } from '../../shared/routes/index.ts';
import { routeKeysOf, type RouteDefinition } from '../../shared/routes/define.ts';
import { buildRouteKeyTable } from '../../shared/routes/keys.ts';
import { INDEX_FILE, renderRouteIndex } from '../../scripts/lib/route-index.ts';
import { tables } from '../../shared/config/tables.ts';
import { buckets } from '../../shared/config/buckets.ts';
import type { HttpEvent, HttpResponse } from '../../shared/http/middleware.ts';
import { buildOpenApiDocument, type OpenApiDocument } from '../../shared/openapi/document.ts';
import { errorSchema } from '../../shared/openapi/schemas.ts';
import { errorExamples } from '../../shared/openapi/examples.ts';
import type { OperationId } from '../../client/index.ts';
import { route } from '../../client/operations.ts';
import { RouteTable } from '../../shared/routes/match.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const keyOf = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const BASE = 'https://openapi.test/doc';

let doc: OpenApiDocument;
let ajv: Ajv2020;

/** Each `{path, method, operation}` of the document. */
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

/** Validates `value` against a schema taken from the document (its `#/components` refs resolve). */
function validate(schema: unknown, value: unknown): string[] {
  const rebased = JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', `"${BASE}#/components/`),
  );
  const check = ajv.compile(rebased as object);
  return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

beforeAll(() => {
  doc = buildOpenApiDocument();
  ajv = new Ajv2020({ strict: false, allErrors: true });
  ajvFormats.default(ajv as never);
  ajv.addSchema({ $id: BASE, components: doc.components });
});

describe('route coverage', () => {
  it('has one operation per route with a unique operationId', () => {
    expect(operations()).toHaveLength(routes.length);
    const ids = operations().map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(routes.map(keyOf)).size).toBe(routes.length);
  });

  it('lets the typed client call every operation, by operationId, where its definition says', () => {
    for (const r of routes) {
      const params = Object.fromEntries([...r.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], 1]));
      const sent = route(r.operationId as OperationId, params);
      expect(sent.method, r.operationId).toBe(r.method);
      expect(new RouteTable([r]).match(sent.method, sent.path), r.operationId).toMatchObject({
        route: r,
      });
    }
  });

  it('lists every definition in shared/routes/index.ts (run `npm run openapi` after changes)', async () => {
    expect(readFileSync(INDEX_FILE, 'utf8')).toBe(await renderRouteIndex());
  });

  it('is the key table checked in as shared/routes/table.json (run `npm run openapi` after changes)', () => {
    const file = JSON.parse(readFileSync(join(ROOT, 'shared', 'routes', 'table.json'), 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(buildRouteKeyTable())));
  });
});

describe('each definition is taken by the handler it names', () => {
  const ctx = {} as Context;
  /** The event API Gateway sends for a route key, without a principal. */
  const eventFor = (routeKey: string): HttpEvent =>
    ({
      version: '2.0',
      routeKey,
      rawPath: '/',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: { requestId: 'req-1', routeKey, http: { method: 'GET', path: '/' } },
    }) as unknown as HttpEvent;

  beforeAll(() => {
    // What the stack sets; loading a handler creates its clients but sends nothing.
    for (const t of Object.values(tables)) process.env[t.envVar] ??= `unit-${t.envVar}`;
    for (const b of Object.values(buckets)) process.env[b.envVar] ??= `unit-${b.envVar}`;
  });

  /**
   * A handler answers its own route keys (here 401: no principal, before any table is read)
   * and refuses any other with 403, so the definition it imports is the one naming it.
   */
  it.each(routes.map((r) => [keyOf(r), r] as const))('%s', async (_key, route: RouteDefinition) => {
    const file = pathToFileURL(join(ROOT, 'functions', `${route.handler}.ts`)).href;
    const mod = (await import(/* @vite-ignore */ file)) as {
      handler: (event: HttpEvent, ctx: Context) => Promise<HttpResponse>;
    };
    for (const key of routeKeysOf(route)) {
      const res = await mod.handler(eventFor(key), ctx);
      expect(res.statusCode, key).toBe(route.public ? 200 : 401);
    }
    const foreign = routes.find((r) => r.handler !== route.handler)!;
    expect((await mod.handler(eventFor(keyOf(foreign)), ctx)).statusCode).toBe(403);
  });
});

describe('document', () => {
  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const res = await validator.validate(JSON.parse(JSON.stringify(doc)));
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // Every $ref resolves.
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('has schemas that are valid JSON Schema 2020-12 (the OpenAPI 3.1 dialect)', () => {
    // The OpenAPI meta-schema accepts any object as a schema; check them against the dialect.
    const schemas: unknown[] = Object.values(doc.components.schemas);
    for (const { operation } of operations()) {
      for (const p of operation.parameters as { schema?: unknown }[])
        if (p.schema) schemas.push(p.schema);
    }
    for (const s of schemas) {
      expect(ajv.validateSchema(s as object), JSON.stringify(ajv.errors)).toBe(true);
    }
    expect(ajv.validateSchema({ type: 'integer', minimum: 'x' })).toBe(false);
  });

  it('declares every path parameter of every path', () => {
    for (const { path, operation } of operations()) {
      const declared = (operation.parameters as { in?: string; name?: string }[])
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(declared, path).toEqual(inPath);
    }
  });

  it('requires the route scope through the bearer scheme', () => {
    const scheme = (
      doc.components as unknown as { securitySchemes: Record<string, { scheme?: string }> }
    ).securitySchemes.bearerAuth;
    expect(scheme?.scheme).toBe('bearer');
    for (const route of routes) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      // A public route (the liveness check) overrides the document's bearer requirement.
      expect(op.security).toEqual(
        route.public ? [] : [{ bearerAuth: route.scope === 'read' ? [] : [route.scope] }],
      );
    }
  });

  it('lists the error statuses each route can return, in the SPEC error shape', () => {
    for (const route of routes) {
      const d = route;
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      const statuses = Object.keys(op.responses).map(Number);
      const expected = [...(route.public ? [] : [401]), 429, 500];
      if (route.scope !== 'read') expected.push(403);
      if (d.body) expected.push(400, 413, 415, 422);
      if (d.query || d.params) expected.push(400);
      if (d.headers?.includes('if-match')) expected.push(412);
      if (d.idempotent) expected.push(409, 422);
      if (d.params) expected.push(404);
      expect(statuses, keyOf(route)).toEqual(expect.arrayContaining(expected));
      for (const status of statuses.filter((s) => s >= 400)) {
        const content = op.responses[status]!.content as Record<string, { schema: unknown }>;
        expect(JSON.stringify(content['application/json']!.schema)).toContain(
          '#/components/schemas/Error',
        );
      }
    }
  });

  it('is the document checked in as docs/openapi.json (run `npm run openapi` after changes)', () => {
    const file = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('is the document the openapi route serves (shared/openapi/document.packed.json)', () => {
    const packed = JSON.parse(
      readFileSync(join(ROOT, 'shared', 'openapi', 'document.packed.json'), 'utf8'),
    ) as { deflated_base64: string };
    const served = inflateRawSync(Buffer.from(packed.deflated_base64, 'base64')).toString();
    expect(JSON.parse(served)).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});

describe('examples', () => {
  it('request body examples satisfy the JSON Schema and the handler’s zod schema', () => {
    let checked = 0;
    for (const route of routes) {
      const d = route;
      const media = (
        doc.paths[route.path]![route.method.toLowerCase()]!.requestBody as
          | {
              content: Record<
                string,
                { schema: unknown; examples?: Record<string, { value: unknown }> }
              >;
            }
          | undefined
      )?.content['application/json'];
      if (!d.body || !media) continue;
      expect(Object.keys(media.examples ?? {}).length, keyOf(route)).toBeGreaterThan(0);
      for (const [name, ex] of Object.entries(media.examples ?? {})) {
        expect(validate(media.schema, ex.value), `${keyOf(route)} ${name}`).toEqual([]);
        expect(d.body.safeParse(ex.value).success, `${keyOf(route)} ${name} (zod)`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('response examples satisfy the JSON Schema and the response zod schema', () => {
    let checked = 0;
    for (const route of routes) {
      const d = route;
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      for (const [status, given] of Object.entries(d.responses)) {
        if (typeof given === 'string' || !given.schema) continue;
        const media = (
          op.responses[status]!.content as Record<string, { schema: unknown; example?: unknown }>
        )['application/json']!;
        expect(media.example, `${keyOf(route)} ${status} has an example`).toBeDefined();
        expect(validate(media.schema, media.example), `${keyOf(route)} ${status}`).toEqual([]);
        const parsed = (given.schema as z.ZodMiniType).safeParse(media.example);
        expect(parsed.success, `${keyOf(route)} ${status} (zod)`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(routes.length);
  });

  it('error examples satisfy the error schema', () => {
    const examples = (doc.components as unknown as { examples: Record<string, { value: unknown }> })
      .examples;
    for (const [status, value] of Object.entries(errorExamples)) {
      expect(validate({ $ref: '#/components/schemas/Error' }, value), status).toEqual([]);
      expect(errorSchema.safeParse(value).success).toBe(true);
      expect(examples[`Error${status}`]?.value).toEqual(value);
    }
  });

  it('parameter examples satisfy their parameter schemas', () => {
    let checked = 0;
    for (const { path, operation } of operations()) {
      for (const p of operation.parameters as {
        name?: string;
        schema?: unknown;
        example?: unknown;
      }[]) {
        if (p.example === undefined || !p.schema) continue;
        expect(validate(p.schema, p.example), `${path} ${p.name}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('catches a bad example (the check is not vacuous)', () => {
    expect(
      validate({ $ref: '#/components/schemas/CreateInstance' }, { name: 'x', replicas: 0 }),
    ).not.toEqual([]);
  });
});
