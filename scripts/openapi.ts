/**
 * `npm run openapi`: writes docs/openapi.json, the OpenAPI 3.1 document GET /api/openapi.json
 * serves, formatted the way `prettier --check` expects. test/unit/openapi.test.ts fails while
 * the file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { buildOpenApiDocument } from '../shared/openapi/document.ts';

const file = join(import.meta.dirname, '..', 'docs', 'openapi.json');
const document = buildOpenApiDocument();
const options = await prettier.resolveConfig(file);
await writeFile(
  file,
  await prettier.format(JSON.stringify(document), { ...options, filepath: file }),
);
const operations = Object.values(document.paths).flatMap((item) => Object.keys(item)).length;
console.log(
  `wrote ${file}: ${operations} operations, ${Object.keys(document.components.schemas).length} schemas`,
);
