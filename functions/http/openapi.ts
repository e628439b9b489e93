import { inflateRawSync } from 'node:zlib';
import packed from '../../shared/openapi/document.packed.json' with { type: 'json' };
import { openApiDocument } from '../../shared/routes/openapi-document.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

/**
 * The document as `npm run openapi` generated it at build time, deflated (16 KB instead of
 * 150 KB in the bundle); inflated on the first request by Node's own zlib, so the cold start
 * neither loads every route's schemas nor converts them.
 */
let document: unknown;

/** GET /api/openapi.json: the OpenAPI 3.1 document of this API. */
export const handler = http(openApiDocument, async () => {
  document ??= JSON.parse(inflateRawSync(Buffer.from(packed.deflated_base64, 'base64')).toString());
  return ok(document, { 'cache-control': 'public, max-age=300' });
});
