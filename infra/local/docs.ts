/**
 * `GET /docs` on the local server: Swagger UI from the `swagger-ui-dist` package, served from
 * node_modules (no CDN; a Content-Security-Policy of 'self' keeps it offline), rendering the
 * OpenAPI document built from the route table. The document is also served at
 * /docs/openapi.json, outside /api, so the page works when the stack runs with `--auth`; the
 * "Authorize" button takes a token for "Try it out".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildOpenApiDocument } from '../../shared/openapi/document.ts';

const BASE = '/docs';
const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The only files of the package that are served, with their types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Inference Instances API</title>
    <link rel="icon" type="image/png" href="${BASE}/favicon-32x32.png" />
    <link rel="stylesheet" href="${BASE}/swagger-ui.css" />
    <style>body { margin: 0 } .swagger-ui .topbar { display: none }</style>
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${BASE}/swagger-ui-bundle.js"></script>
    <script src="${BASE}/init.js"></script>
  </body>
</html>
`;

// An external script rather than an inline one, so the CSP needs no 'unsafe-inline' for scripts.
const INIT = `window.ui = SwaggerUIBundle({
  url: '${BASE}/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  validatorUrl: null,
  persistAuthorization: true,
  displayRequestDuration: true,
  defaultModelsExpandDepth: 0,
});
`;

let documentJson: string | undefined;

export const isDocsRequest = (path: string): boolean =>
  path === BASE || path.startsWith(`${BASE}/`);

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  head: boolean,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(head ? undefined : body);
}

/** Serves the docs page, its init script, the document and the whitelisted Swagger UI assets. */
export async function handleDocs(req: IncomingMessage, res: ServerResponse, path: string) {
  const method = req.method ?? 'GET';
  const head = method === 'HEAD';
  if (method !== 'GET' && !head) {
    return send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed', false, {
      allow: 'GET, HEAD',
    });
  }
  const file = path === BASE ? '' : path.slice(BASE.length + 1);
  if (file === '' || file === 'index.html') {
    return send(res, 200, 'text/html; charset=utf-8', PAGE, head, {
      'content-security-policy': CSP,
    });
  }
  if (file === 'init.js') return send(res, 200, ASSETS['swagger-ui-bundle.js']!, INIT, head);
  if (file === 'openapi.json') {
    documentJson ??= JSON.stringify(buildOpenApiDocument());
    return send(res, 200, 'application/json', documentJson, head, { 'cache-control': 'no-cache' });
  }
  const type = ASSETS[file];
  if (!type) return send(res, 404, 'text/plain; charset=utf-8', 'Not Found', head);
  const body = await readFile(join(DIST, file));
  send(res, 200, type, body, head, { 'cache-control': 'public, max-age=3600' });
}
