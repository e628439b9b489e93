import { buildOpenApiDocument } from '../../shared/openapi/document.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

/** Built once per cold start: the document only changes with a deploy. */
const document = buildOpenApiDocument();

/** GET /api/openapi.json: the OpenAPI 3.1 document of this API. */
export const handler = http({}, async () =>
  ok(document, { 'cache-control': 'public, max-age=300' }),
);
