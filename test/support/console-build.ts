/**
 * The browser tests drive the console build in web/dist, the one `npm start` serves and
 * `npm ci` writes (the `prepare` script). After an edit under web/, shared/ or client/ that
 * build is older than its sources, and the browser would test the console as it was: rebuild
 * it first. A fresh clone's build is newer than every source, so CI builds once, at `npm ci`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
/** What the console's bundle is built from (web/vite.config.ts's root and its imports). */
const SOURCES = ['web/src', 'web/index.html', 'web/vite.config.ts', 'shared', 'client'];
const BUILT = join(ROOT, 'web', 'dist', 'index.html');

/** The latest modification time of `path` or of anything under it. */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    stat.mtimeMs,
    ...readdirSync(path, { recursive: true, encoding: 'utf8' }).map(
      (entry) => statSync(join(path, entry)).mtimeMs,
    ),
  );
}

const builtAt = (): number => {
  try {
    return statSync(BUILT).mtimeMs;
  } catch {
    return 0;
  }
};

/** Rebuilds web/dist when any console source changed after it was built; returns whether it did. */
export function ensureConsoleBuild(): boolean {
  const newest = Math.max(...SOURCES.map((s) => newestMtime(join(ROOT, s))));
  if (builtAt() >= newest) return false;
  const build = spawnSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
    // Vitest sets NODE_ENV=test, and a build that inherits it bundles React's development
    // build (659 KB of entry script instead of 438 KB): the console that ships is production.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (build.status !== 0)
    throw new Error(`The console build (vite build web) failed:\n${build.stdout}${build.stderr}`);
  return true;
}
