/**
 * Renders shared/routes/index.ts, the list of every route, from the definition files in
 * shared/routes/: adding a route means adding its definition (and its handler), and
 * `npm run openapi` lists it. Sorted by path, then method, which is also the order of the
 * OpenAPI document's operations.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import type { RouteDefinition } from '../../shared/routes/define.ts';

export const ROUTES_DIR = join(import.meta.dirname, '..', '..', 'shared', 'routes');
export const INDEX_FILE = join(ROUTES_DIR, 'index.ts');

/** Modules of shared/routes/ that hold no definitions. */
const NOT_DEFINITIONS = new Set([
  'define.ts',
  'docs.ts',
  'index.ts',
  'keys.ts',
  'match.ts',
  'table.ts',
]);
const METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface Found {
  file: string;
  name: string;
  route: RouteDefinition;
}

const isDefinition = (v: unknown): v is RouteDefinition =>
  typeof v === 'object' && v !== null && 'operationId' in v && 'handler' in v && 'path' in v;

/** Every exported definition of every definition file. */
export async function findDefinitions(): Promise<Found[]> {
  const found: Found[] = [];
  for (const file of readdirSync(ROUTES_DIR).sort()) {
    if (!file.endsWith('.ts') || NOT_DEFINITIONS.has(file)) continue;
    const mod = (await import(pathToFileURL(join(ROUTES_DIR, file)).href)) as Record<
      string,
      unknown
    >;
    for (const [name, value] of Object.entries(mod)) {
      if (isDefinition(value)) found.push({ file, name, route: value });
    }
  }
  return found.sort(
    (a, b) =>
      a.route.path.localeCompare(b.route.path) ||
      METHOD_ORDER.indexOf(a.route.method) - METHOD_ORDER.indexOf(b.route.method),
  );
}

export async function renderRouteIndex(): Promise<string> {
  const found = await findDefinitions();
  const byFile = new Map<string, string[]>();
  for (const f of found) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f.name]);
  const imports = [...byFile]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, names]) => `import { ${names.sort().join(', ')} } from './${file}';`);
  const source = `/**
 * Every HTTP route, in one list: for the CDK stack, the local gateway, the OpenAPI document and
 * the typed client's types. Generated from the definition files by \`npm run openapi\` (do not
 * edit; test/unit/openapi.test.ts fails while it is stale). Never imported by a Lambda handler
 * (a handler imports only its own definition), so no bundle carries every route's schemas;
 * test/infra/route-bundles.test.ts checks it.
 */
import type { RouteDefinition } from './define.ts';
${imports.join('\n')}

const all = [${found.map((f) => f.name).join(', ')}] as const satisfies readonly RouteDefinition[];

export const routes: readonly RouteDefinition[] = all;

/** Each route's own literal type, for the typed client (client/operations.ts). */
export type AnyRoute = (typeof all)[number];
export type OperationId = AnyRoute['operationId'];
/** The definition behind an operationId (the typed client's request table). */
export type RouteOf<K extends OperationId> = Extract<AnyRoute, { operationId: K }>;
`;
  const options = await prettier.resolveConfig(INDEX_FILE);
  return prettier.format(source, { ...options, filepath: INDEX_FILE });
}
