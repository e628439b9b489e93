/**
 * The operator console on the local server: the static build in web/dist (`npm run build:web`,
 * also run by `npm ci` through `prepare`), `/config.json` for the runtime settings, and the SPA
 * fallback (a path that names no file gets index.html, so a deep link such as
 * /instances/42/history loads the app, which routes it). Hashed assets are immutable; the HTML
 * and the config are revalidated on every load.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

export const CONSOLE_DIST = resolve(import.meta.dirname, '../../web/dist');

export interface ConsoleOptions {
  /** `--auth`: the console asks for a bearer token. */
  auth?: boolean;
  /** WebSocket URL for the browser; default: this server's `/ws` as the browser reached it. */
  wsUrl?: string;
  /** The build to serve (default web/dist). */
  distDir?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);

/** Paths other parts of the local server own. */
const OTHER = [
  /^\/api(\/|$)/,
  /^\/docs(\/|$)/,
  /^\/ws(\/|$)/,
  /^\/@connections(\/|$)/,
  /^\/\.well-known\//,
];

export const isConsoleRequest = (path: string): boolean => !OTHER.some((re) => re.test(path));

function csp(wsOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Mantine sets style attributes and a few <style> elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${wsOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

const gzipped = new Map<string, Buffer>();

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: Buffer | string,
  headers: Record<string, string>,
  cacheKey?: string,
): void {
  let data = typeof body === 'string' ? Buffer.from(body) : body;
  const extra: Record<string, string> = {};
  const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (cacheKey && acceptsGzip && data.length > 1024) {
    let z = gzipped.get(cacheKey);
    if (!z) gzipped.set(cacheKey, (z = gzipSync(data)));
    data = z;
    extra['content-encoding'] = 'gzip';
  }
  res.writeHead(status, {
    'content-type': type,
    'content-length': String(data.length),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    vary: 'accept-encoding',
    ...extra,
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : data);
}

async function fileAt(dist: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = resolve(dist, `.${decoded}`);
  if (file !== dist && !file.startsWith(dist + sep)) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Serves one console request (GET/HEAD); the caller checked `isConsoleRequest(path)`. */
export async function handleConsole(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  opts: ConsoleOptions = {},
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('Method Not Allowed');
    return;
  }
  const dist = opts.distDir ?? CONSOLE_DIST;
  const host = req.headers.host ?? 'localhost';
  const wsUrl = opts.wsUrl ?? `ws://${host}/ws`;
  if (path === '/config.json') {
    const config = { apiUrl: '', wsUrl, auth: opts.auth ? 'token' : 'off' };
    return send(req, res, 200, 'application/json', JSON.stringify(config), {
      'cache-control': 'no-store',
    });
  }
  const file = await fileAt(dist, path === '/' ? '/index.html' : path);
  const ext = file ? extname(file) : '';
  if (file && ext !== '.html') {
    const immutable = path.startsWith('/assets/');
    return send(
      req,
      res,
      200,
      TYPES[ext] ?? 'application/octet-stream',
      await readFile(file),
      { 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' },
      COMPRESSIBLE.has(ext) && immutable ? file : undefined,
    );
  }
  // A missing asset or dotfile (`/.env`) is a 404; any other path is a route of the app.
  if (!file && (path.startsWith('/assets/') || extname(path) !== '' || path.includes('/.'))) {
    return send(req, res, 404, 'text/plain; charset=utf-8', 'Not Found', {
      'cache-control': 'no-cache',
    });
  }
  let html: Buffer;
  try {
    html = await readFile(file ?? join(dist, 'index.html'));
  } catch {
    return send(
      req,
      res,
      503,
      'text/plain; charset=utf-8',
      'The console is not built yet: run `npm run build:web` (npm ci does it too).',
      { 'cache-control': 'no-store' },
    );
  }
  send(req, res, 200, TYPES['.html']!, html, {
    'cache-control': 'no-cache',
    'content-security-policy': csp(new URL(wsUrl).origin),
    'x-frame-options': 'DENY',
  });
}
