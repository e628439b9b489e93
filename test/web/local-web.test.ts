/** infra/local/web.ts: the console on the local server, over real HTTP, from a temp build. */
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleConsole, isConsoleRequest } from '../../infra/local/web.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dist, 'assets', 'index-abc.js'), `export const x = "${'x'.repeat(4000)}";`);
  writeFileSync(join(dist, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(tmpdir(), 'secret.txt'), 'no');
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!isConsoleRequest(path)) {
      res.writeHead(418);
      res.end();
      return;
    }
    void handleConsole(req, res, path, { distDir: dist, auth: req.headers['x-auth'] === 'on' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('local console server', () => {
  it('leaves /api, /docs, /ws and the Management API to the rest of the server', () => {
    for (const p of [
      '/api',
      '/api/instances',
      '/docs',
      '/docs/x',
      '/ws',
      '/@connections/abc',
      '/.well-known/jwks.json',
    ])
      expect(isConsoleRequest(p), p).toBe(false);
    for (const p of [
      '/',
      '/instances/3/history',
      '/operations',
      '/assets/a.js',
      '/config.json',
      '/apix',
    ])
      expect(isConsoleRequest(p), p).toBe(true);
  });

  it('serves /config.json with the WebSocket URL of the host the browser used', async () => {
    const res = await fetch(`${base}/config.json`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      apiUrl: '',
      wsUrl: `${base.replace('http', 'ws')}/ws`,
      auth: 'off',
    });
  });

  it('tells the console to ask for a token when the stack runs with --auth', async () => {
    const res = await fetch(`${base}/config.json`, { headers: { 'x-auth': 'on' } });
    expect(await res.json()).toMatchObject({ auth: 'token' });
  });

  it('hashed assets: right type, immutable, gzip when asked', async () => {
    const js = await fetch(`${base}/assets/index-abc.js`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(await js.text()).toContain('export const x');
    const css = await fetch(`${base}/assets/index-abc.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('SPA fallback: a route gets index.html (no-cache, CSP); a missing asset is 404', async () => {
    const page = await fetch(`${base}/instances/42/history?compare=1,2`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<title>console</title>');
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(404);
  });

  it('never leaves the build folder, and only reads', async () => {
    const traversal = await fetch(`${base}/..%2F..%2F..%2F..%2F..%2Ftmp%2Fsecret.txt`);
    expect(await traversal.text()).not.toBe('no');
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });
});
