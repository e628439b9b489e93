/**
 * Budget of the issue: the JS the instances page needs before it can render (the entry script
 * and what index.html preloads) is at most 300 KB gzipped. History, diff and operations load on
 * demand. Reads the build that `npm ci` (prepare) or `npm run build:web` wrote.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const DIST = resolve(import.meta.dirname, '../../web/dist');
const BUDGET = 300 * 1024;

describe('console bundle', () => {
  it('initial JS of the instances page is within 300 KB gzipped', () => {
    expect(existsSync(join(DIST, 'index.html')), 'web/dist missing: run npm run build:web').toBe(
      true,
    );
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const files = [
      ...html.matchAll(
        /<script[^>]+src="\/([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g,
      ),
    ].map((m) => m[1] ?? m[2]!);
    expect(files.length).toBeGreaterThan(0);
    const sizes = Object.fromEntries(
      files.map((f) => [f, gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length]),
    );
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    console.log(`[console bundle] initial JS ${(total / 1024).toFixed(1)} KB gzipped`, sizes);
    expect(total).toBeLessThanOrEqual(BUDGET);
    // Code-split routes stay out of the initial load.
    expect(files.some((f) => /history|operation/.test(f))).toBe(false);
  });
});
