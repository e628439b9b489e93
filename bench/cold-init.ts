/**
 * Cold init: each bundle imported in a fresh Node process of the Lambda's major version
 * (`process.execPath`, Node 24 under `npm run`). The child measures its own
 * `performance.now()` around `await import(bundle)`; the parent also records the wall time of
 * the whole process and of `node -e 0` for reference. Rounds alternate the bundles so machine
 * noise spreads over all of them instead of hitting one.
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { tables } from '../shared/config/tables.ts';
import { WS_ENDPOINT_ENV } from '../shared/config/ws-routes.ts';
import { AUTH_ENV } from '../shared/config/auth.ts';
import type { Bundle } from './bundles.ts';
import { SERVICE_NAME } from '../shared/config/service.ts';

export interface InitResult {
  name: string;
  /** `performance.now()` around `await import()` inside the child, per run. */
  importMs: number[];
  /** CPU time (user + system) of the child during the import, per run: robust to a busy machine. */
  cpuMs: number[];
  /** Spawn to exit, per run (includes Node's own start-up). */
  wallMs: number[];
}

/**
 * What the Lambda environment holds at init: the variables CDK sets (table names, the
 * WebSocket endpoint, the JWT issuer of `$connect`, source maps on) and fake credentials.
 * Nothing at module scope may need the network, so dummy values are enough; variables a
 * newer handler requires are discovered and added by `completeEnv`.
 */
export function lambdaEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    [WS_ENDPOINT_ENV]: 'https://bench.execute-api.us-east-1.amazonaws.com/prod',
    [AUTH_ENV.issuer]: 'https://issuer.bench.invalid',
    [AUTH_ENV.audience]: 'bench',
  };
  for (const def of Object.values(tables)) env[def.envVar] = `bench-${def.id}`;
  return env;
}

const PROBE = `const c0 = process.cpuUsage();
const t0 = performance.now();
await import(process.argv[1]);
const t1 = performance.now();
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ importMs: t1 - t0, cpuMs: (c.user + c.system) / 1000 }));`;

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ wallMs: number; stdout: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const wallMs = performance.now() - start;
      if (err)
        reject(new Error(`${args.join(' ').slice(0, 200)} failed: ${stderr || err.message}`));
      else resolve({ wallMs, stdout });
    });
  });
}

const MISSING_ENV = /Missing required environment variable (\w+)/;

/**
 * Imports one bundle in a fresh process. A module that reports a missing variable
 * (`requireEnv` fails the cold start with its name) gets a dummy value and another try;
 * `added` collects those names for the report.
 */
async function probe(
  b: Bundle,
  env: NodeJS.ProcessEnv,
  added: string[],
): Promise<{ importMs: number; cpuMs: number; wallMs: number }> {
  for (;;) {
    const had = new Set(Object.keys(env));
    try {
      const { wallMs, stdout } = await run(
        ['--input-type=module', '-e', PROBE, pathToFileURL(b.file).href],
        env,
      );
      const { importMs, cpuMs } = JSON.parse(stdout) as { importMs: number; cpuMs: number };
      return { importMs, cpuMs, wallMs };
    } catch (err) {
      const name = MISSING_ENV.exec(String(err))?.[1];
      // Set before this attempt and still missing: a real failure, not a discovery.
      if (!name || had.has(name)) throw err;
      if (env[name] === undefined) {
        env[name] = `bench-${name.toLowerCase()}`;
        added.push(name);
      }
    }
  }
}

/**
 * `rounds` imports of every bundle. With `concurrency` 1 (the full run) one process runs at a
 * time; the quick mode runs two at once, trading accuracy it does not need for time.
 */
export async function measureInit(
  bundles: readonly Bundle[],
  rounds: number,
  concurrency = 1,
  onRound?: (round: number) => void,
): Promise<{ results: InitResult[]; nodeBareWallMs: number[]; addedEnv: string[] }> {
  const env = lambdaEnv();
  const addedEnv: string[] = [];
  const results = bundles.map((b) => ({
    name: b.name,
    importMs: [] as number[],
    cpuMs: [] as number[],
    wallMs: [] as number[],
  }));
  const nodeBareWallMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Rotate the starting bundle every round: no bundle always runs first or last.
    const order = bundles.map((_, i) => (i + r) % bundles.length);
    nodeBareWallMs.push((await run(['-e', '0'], env)).wallMs);
    const worker = async () => {
      for (let i = order.shift(); i !== undefined; i = order.shift()) {
        const { importMs, cpuMs, wallMs } = await probe(bundles[i]!, env, addedEnv);
        results[i]!.importMs.push(importMs);
        results[i]!.cpuMs.push(cpuMs);
        results[i]!.wallMs.push(wallMs);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    onRound?.(r + 1);
  }
  return { results, nodeBareWallMs, addedEnv };
}
