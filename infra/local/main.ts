/**
 * `npm start`: the whole system locally. Flags: --in-memory (throwaway data), --auth (JWT
 * checks with a local key), --data-dir DIR, --stream-parallelism N (concurrent batches per
 * stream shard, as AWS's ParallelizationFactor; default 1); PORT sets the port (default 8000,
 * 0 = any free). Test-only: --inject-stream-throttle RATE makes that fraction of stream batches
 * throw a throttling error (infra/local/stream-throttle.ts); SIGUSR2 turns it off and on again.
 *
 * Ctrl-C, SIGTERM, and the launcher going away (`npx tsx infra/local/main.ts` killed: see
 * `launcherWatch`) stop everything, Java included, after an orderly drain.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack } from './stack.ts';
import { launcherWatch } from './launcher-watch.ts';
import { throttledStreamHandlers } from './stream-throttle.ts';

const { values } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    auth: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.data' },
    host: { type: 'string', default: '127.0.0.1' },
    'stream-parallelism': { type: 'string', default: '1' },
    'inject-stream-throttle': { type: 'string' },
  },
});

const streamParallelism = Number(values['stream-parallelism']);
if (!Number.isInteger(streamParallelism) || streamParallelism < 1 || streamParallelism > 10) {
  console.error(`--stream-parallelism must be 1 to 10, got "${values['stream-parallelism']}"`);
  process.exit(2);
}

const throttleRate = Number(values['inject-stream-throttle'] ?? 0);
if (!(throttleRate >= 0 && throttleRate < 1)) {
  console.error(
    `--inject-stream-throttle must be at least 0 and below 1, got "${values['inject-stream-throttle']}"`,
  );
  process.exit(2);
}
// A switch, so `npm run soak` can confine the fault to a window of its phase.
const throttle = { rate: throttleRate, on: true };
if (throttleRate > 0) process.on('SIGUSR2', () => (throttle.on = !throttle.on));

const launcherGone = launcherWatch();

const port = Number(process.env.PORT ?? 8000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}

const dataDir = values['in-memory'] ? undefined : resolve(values['data-dir']);
let stack;
try {
  stack = await startLocalStack({
    port,
    host: values.host,
    streamParallelism,
    ...(throttleRate > 0 ? { streamHandlers: throttledStreamHandlers(throttle) } : {}),
    ...(process.env.CORS_ORIGINS !== undefined
      ? {
          corsOrigins: process.env.CORS_ORIGINS.split(',')
            .map((o) => o.trim())
            .filter(Boolean),
        }
      : {}),
    ...(dataDir ? { dataDir } : {}),
    // Signing keys live in the data folder even for --in-memory runs, so tokens keep working.
    ...(values.auth ? { auth: { keysDir: resolve(values['data-dir']) } } : {}),
  });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

let stopping = false;
const shutdown = async (reason: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${reason}: stopping… (new requests get 503; history catches up first)`);
  const t = await stack.stop();
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `stopped in ${s(t.total)} (requests done ${s(t.requests)}, streams drained ${s(t.streams)}, database stopped ${s(t.database)})`,
  );
  process.exit(0);
};
// Before anything is printed: whoever reads READY may signal at once, and without a listener
// Node leaves SIGTERM to its default action, which kills the process without stopping anything.
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
setInterval(() => {
  const gone = launcherGone();
  if (gone) void shutdown(gone);
}, 250).unref();
// Whoever read the output may be gone with the launcher: writing to a closed pipe must not end
// the process before the drain has finished.
for (const out of [process.stdout, process.stderr]) {
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

console.log(
  [
    '',
    'Inference Instances — local stack',
    `  HTTP API       ${stack.url}/api   (try: curl ${stack.url}/api/health)`,
    `  WebSocket API  ${stack.wsUrl}   (try: npx wscat -c ${stack.wsUrl})`,
    `  Management API ${stack.url}/@connections/{id}`,
    `  API docs       ${stack.url}/docs   (OpenAPI: ${stack.url}/api/openapi.json)`,
    `  Local S3       ${stack.s3Endpoint}   (export files; presigned URLs point here)`,
    `  DynamoDB Local ${stack.dynamodbEndpoint}   data: ${dataDir ?? 'in memory (lost on exit)'}`,
    `  Stream state   ${stack.stateDir}   (replay what failed: npm run redrive -- ${dataDir ? `--data-dir ${dataDir}` : `--state-dir ${stack.stateDir}`})`,
    values.auth
      ? `  Auth           ON: JWTs from ${resolve(values['data-dir'], 'auth')} (mint one: npm run token -- --sub alice --scopes instances:read,instances:write)`
      : `  Auth           OFF (every caller is "local-dev" with all scopes; npm start -- --auth turns it on)`,
    '  Ctrl-C stops everything.',
    '',
  ].join('\n'),
);
// Machine-readable line for tests and scripts.
console.log(
  `READY ${JSON.stringify({ url: stack.url, ws: stack.wsUrl, port: stack.port, dynamodb: stack.dynamodbEndpoint, tables: stack.tableNames, state: stack.stateDir })}`,
);
