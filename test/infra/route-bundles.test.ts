/**
 * A Lambda bundle carries only its own route definitions: the list of every route
 * (shared/routes/index.ts), the OpenAPI builder and the key-table builder stay out of every
 * function, and an HTTP function holds exactly the definition files of the routes naming it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAll, type Bundle } from '../../bench/bundles.ts';
import { findDefinitions } from '../../scripts/lib/route-index.ts';

let out: string;
let functions: Bundle[];
/** Definition file → the handler modules its definitions name. */
const handlersByFile = new Map<string, Set<string>>();

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'route-bundles-'));
  ({ functions } = await bundleAll(out));
  for (const { file, route } of await findDefinitions()) {
    const key = `shared/routes/${file}`;
    handlersByFile.set(key, new Set([...(handlersByFile.get(key) ?? []), route.handler]));
  }
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('route definitions in Lambda bundles', () => {
  it('found every definition file and every function', () => {
    expect(handlersByFile.size).toBeGreaterThanOrEqual(20);
    expect(functions.length).toBeGreaterThanOrEqual(30);
  });

  it('keeps the all-routes modules out of every function', () => {
    const banned = [
      'shared/routes/index.ts',
      'shared/routes/keys.ts',
      'shared/openapi/document.ts',
      'shared/openapi/json-schema.ts',
    ];
    for (const f of functions) {
      expect(
        f.inputs.filter((i) => banned.includes(i)),
        f.name,
      ).toEqual([]);
    }
  });

  it('gives each HTTP function exactly the definitions of its own routes', () => {
    for (const f of functions.filter((fn) => fn.name.startsWith('http/'))) {
      const bundled = f.inputs.filter((i) => handlersByFile.has(i)).sort();
      const own = [...handlersByFile]
        .filter(([, handlers]) => handlers.has(f.name))
        .map(([file]) => file)
        .sort();
      expect(bundled, f.name).toEqual(own);
    }
  });
});
