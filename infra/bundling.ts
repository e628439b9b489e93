/**
 * esbuild settings of every Lambda bundle, declared once: the CDK function construct passes
 * them to NodejsFunction, and the benchmark bundles with exactly the same values.
 */
export const ESBUILD_TARGET = 'node24';

/**
 * Bundled AWS SDK v3 is partly CommonJS; esbuild's ESM output turns its `require('node:…')`
 * calls into a shim that throws unless a real `require` exists (NOTES.md). The alias avoids
 * clashing with a bundled top-level `createRequire`.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);";

export const BUNDLING = {
  format: 'esm',
  platform: 'node',
  target: ESBUILD_TARGET,
  minify: true,
  sourcemap: true,
  // Stack traces need the mappings, not the embedded sources (a 2 MB map per function).
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  // Ship the SDK version the tests ran against instead of the runtime's copy.
  external: [] as string[],
} as const;
