/**
 * `npm run openapi`: writes what is derived from the route definitions at build time —
 * shared/routes/index.ts (the list of every route), docs/openapi.json (the OpenAPI 3.1 document), shared/openapi/document.packed.json (the same,
 * deflated, which GET /api/openapi.json serves) and shared/routes/table.json (the route keys the
 * typed client and the fallback handler read) — formatted the way `prettier --check` expects.
 * test/unit/openapi.test.ts fails while any of them is stale.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import * as prettier from 'prettier';
import { INDEX_FILE, renderRouteIndex } from './lib/route-index.ts';

const root = join(import.meta.dirname, '..');

async function write(relative: string, value: unknown): Promise<string> {
  const file = join(root, relative);
  const options = await prettier.resolveConfig(file);
  await writeFile(
    file,
    await prettier.format(JSON.stringify(value), { ...options, filepath: file }),
  );
  return file;
}

// First the list of routes, which everything below is built from (hence the late imports).
await writeFile(INDEX_FILE, await renderRouteIndex());
console.log(`wrote ${INDEX_FILE}`);
const { buildOpenApiDocument } = await import('../shared/openapi/document.ts');
const { buildRouteKeyTable } = await import('../shared/routes/keys.ts');

const document = buildOpenApiDocument();
const operations = Object.values(document.paths).flatMap((item) => Object.keys(item)).length;
console.log(
  `wrote ${await write('docs/openapi.json', document)}: ${operations} operations, ${Object.keys(document.components.schemas).length} schemas`,
);
const packed = deflateRawSync(JSON.stringify(document), { level: 9 }).toString('base64');
console.log(
  `wrote ${await write('shared/openapi/document.packed.json', {
    $comment:
      'docs/openapi.json, deflated (raw) and base64-encoded by `npm run openapi`; do not edit.',
    deflated_base64: packed,
  })}: ${packed.length} characters`,
);
const table = buildRouteKeyTable();
console.log(
  `wrote ${await write('shared/routes/table.json', table)}: ${table.routes.length} routes`,
);
