/**
 * The OpenAPI document: complete (every route documented, nothing documented that is not a
 * route), generated from the handlers' own schemas, valid OpenAPI 3.1 by a real validator, with
 * examples that satisfy both the JSON Schemas and the zod schemas they came from.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type * as z from 'zod/mini';
import { routes } from '../../shared/config/routes.ts';
import { buildOpenApiDocument, type OpenApiDocument } from '../../shared/openapi/document.ts';
import { routeDocs, type RouteDoc } from '../../shared/openapi/routes.ts';
import { errorSchema } from '../../shared/openapi/schemas.ts';
import { errorExamples } from '../../shared/openapi/examples.ts';
import { InstancesClient } from '../../client/index.ts';

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
  it('documents every route of the route table', () => {
    const missing = routes.map(keyOf).filter((k) => !(k in routeDocs));
    expect(missing, 'routes without an entry in shared/openapi/routes.ts').toEqual([]);
  });

  it('documents nothing that is not a route', () => {
    const keys = new Set(routes.map(keyOf));
    const orphans = Object.keys(routeDocs).filter((k) => !keys.has(k));
    expect(orphans, 'entries in shared/openapi/routes.ts without a route').toEqual([]);
  });

  it('has one operation per route with a unique operationId', () => {
    expect(operations()).toHaveLength(routes.length);
    const ids = operations().map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives the typed client a method for every operation', () => {
    const client = new InstancesClient({ baseUrl: 'http://unused.invalid' }) as unknown as Record<
      string,
      unknown
    >;
    const missing = Object.values(routeDocs)
      .map((d) => d.operationId)
      .filter((id) => typeof client[id] !== 'function');
    expect(missing).toEqual([]);
  });
});

describe('schemas are the handlers’ own', () => {
  /** The identifiers a handler passes to `http({ body, query, params, idempotency })`. */
  function handlerSpec(handler: string) {
    const file = join(ROOT, 'functions', `${handler}.ts`);
    const source = readFileSync(file, 'utf8');
    const spec = /\bhttp\(\s*\{([^}]*)\}/.exec(source)?.[1];
    if (spec === undefined) throw new Error(`${handler}: no http({...}) call found`);
    const field = (name: string) => new RegExp(`\\b${name}\\s*:\\s*(\\w+)`).exec(spec)?.[1];
    const imports = new Map<string, string>();
    for (const m of source.matchAll(/import\s*\{([^}]+)\}\s*from\s*'([^']+)'/g)) {
      for (const name of m[1]!.split(',').map((s) => s.trim().replace(/^type\s+/, ''))) {
        if (name) imports.set(name, resolve(dirname(file), m[2]!));
      }
    }
    return {
      body: field('body'),
      query: field('query'),
      params: field('params'),
      idempotency: /\bidempotency\b/.test(spec),
      imports,
    };
  }

  async function resolveExport(imports: Map<string, string>, name: string | undefined) {
    if (name === undefined) return undefined;
    const from = imports.get(name);
    if (!from) throw new Error(`${name} is not imported by name`);
    const mod = (await import(pathToFileURL(from).href)) as Record<string, unknown>;
    return mod[name];
  }

  it.each(routes.map((r) => [keyOf(r), r.handler] as const))(
    '%s documents the schemas its handler validates with',
    async (key, handler) => {
      // Prepare
      const d = routeDocs[key] as RouteDoc;
      const spec = handlerSpec(handler);
      // Act
      const [body, query, params] = await Promise.all(
        (['body', 'query', 'params'] as const).map((f) => resolveExport(spec.imports, spec[f])),
      );
      // Assess: the very same schema objects, not look-alikes.
      expect(d.body).toBe(body);
      expect(d.query).toBe(query);
      expect(d.params).toBe(params);
      expect(d.headers?.includes('idempotency-key') ?? false).toBe(spec.idempotency);
    },
  );
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
      const d = routeDocs[keyOf(route)]!;
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      const statuses = Object.keys(op.responses).map(Number);
      const expected = [...(route.public ? [] : [401]), 429, 500];
      if (route.scope !== 'read') expected.push(403);
      if (d.body) expected.push(400, 413, 415, 422);
      if (d.query || d.params) expected.push(400);
      if (d.headers?.includes('if-match')) expected.push(412);
      if (d.headers?.includes('idempotency-key')) expected.push(409, 422);
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
});

describe('examples', () => {
  it('request body examples satisfy the JSON Schema and the handler’s zod schema', () => {
    let checked = 0;
    for (const route of routes) {
      const d = routeDocs[keyOf(route)]!;
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
      const d = routeDocs[keyOf(route)]!;
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
