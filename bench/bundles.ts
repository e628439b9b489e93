/**
 * Bundles every deployed Lambda (each distinct handler of the HTTP, stream and WebSocket route
 * tables, the HTTP fallback and the migrations) and the baseline handler with the esbuild settings the CDK
 * function construct uses (infra/bundling.ts), through the esbuild JS API.
 *
 * CDK runs one `esbuild --bundle <entry> --outfile=<asset>/index.mjs` per function. Here all
 * entries go through one build (without code splitting), which parses the shared
 * dependencies once: each output is byte-for-byte what the separate build writes (checked
 * when this was written), in a fifth of the time.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLING } from '../infra/bundling.ts';
import { routes } from '../shared/routes/index.ts';
import { FALLBACK_HANDLER } from '../shared/routes/define.ts';
import { streamConsumers } from '../shared/config/streams.ts';
import { wsRoutes } from '../shared/config/ws-routes.ts';
import { migrations } from '../shared/config/migrations.ts';

export const PROJECT_ROOT = join(import.meta.dirname, '..');
export const BASELINE = 'baseline';

export interface Bundle {
  /** Handler module path (`http/get-instance`) or `baseline`. */
  name: string;
  /** The `index.mjs` CDK would zip; its source map lies beside it. */
  file: string;
  bytes: number;
  /** Bytes in the output by origin: an npm package, or `project:<folder>`. */
  origins: Record<string, number>;
  /** The source files with bytes in the output, relative to the project root. */
  inputs: string[];
}

/** `node_modules/@aws-sdk/core/dist-es/x.js` → `@aws-sdk/core`; `shared/repo/x.ts` → `project:shared/repo`. */
function originOf(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m?.[1]) return m[1];
  const dir = path.split('/').slice(0, -1).join('/');
  return `project:${dir || '.'}`;
}

/** Every Lambda the stack deploys, in a stable order. */
export function deployedHandlers(): string[] {
  return [
    ...new Set([
      ...routes.map((r) => r.handler),
      FALLBACK_HANDLER,
      ...streamConsumers.map((c) => c.handler),
      ...wsRoutes.map((r) => r.handler),
      ...migrations.map((m) => m.handler),
    ]),
  ];
}

function entryOf(name: string): string {
  return name === BASELINE
    ? join(PROJECT_ROOT, 'bench', 'baseline-handler.ts')
    : join(PROJECT_ROOT, 'functions', `${name}.ts`);
}

const dirOf = (name: string) => name.replace(/\//g, '__');

/** Bundles the baseline and every deployed function into `<outRoot>/<name>/index.mjs`. */
export async function bundleAll(
  outRoot: string,
): Promise<{ baseline: Bundle; functions: Bundle[] }> {
  const names = [BASELINE, ...deployedHandlers()];
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    metafile: true,
    entryPoints: names.map((n) => ({ in: entryOf(n), out: `${dirOf(n)}/index` })),
    outdir: outRoot,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: BUNDLING.format,
    platform: BUNDLING.platform,
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourcemap,
    sourcesContent: BUNDLING.sourcesContent,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    external: [...BUNDLING.external],
    logLevel: 'warning',
  });
  const outputs = result.metafile.outputs;
  const bundles = names.map((name) => {
    const file = join(outRoot, dirOf(name), 'index.mjs');
    const meta = Object.entries(outputs).find(([out]) => join(PROJECT_ROOT, out) === file)?.[1];
    const origins: Record<string, number> = {};
    const inputs: string[] = [];
    for (const [path, { bytesInOutput }] of Object.entries(meta?.inputs ?? {})) {
      const o = originOf(path);
      origins[o] = (origins[o] ?? 0) + bytesInOutput;
      if (bytesInOutput > 0) inputs.push(path);
    }
    // The deployed code size is the .mjs; its source map ships beside it.
    return { name, file, bytes: statSync(file).size, origins, inputs };
  });
  return { baseline: bundles[0]!, functions: bundles.slice(1) };
}
