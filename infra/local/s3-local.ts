/**
 * Local S3: the npm package `s3rver` (an S3-compatible server in this process) serving the
 * buckets of shared/config/buckets.ts, so the export code runs unchanged against it; handlers
 * reach it through the SDK's own `AWS_ENDPOINT_URL_S3`. Objects live under the data folder
 * (a temp folder for in-memory runs). s3rver 3 checks the access key of V4-signed requests,
 * not their signatures: a tampered presigned URL still downloads locally (it would not on S3).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buckets, type BucketName } from '../../shared/config/buckets.ts';
import { LOCAL_AWS } from './dynamodb-local.ts';

export const LOCAL_BUCKET_PREFIX = 'inference-instances-';

export const localBucketNames = (): Record<BucketName, string> =>
  Object.fromEntries(Object.keys(buckets).map((k) => [k, `${LOCAL_BUCKET_PREFIX}${k}`])) as Record<
    BucketName,
    string
  >;

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (opts: Record<string, unknown>) => S3rverInstance;
interface AccountClass {
  new (id: string, name: string): { createKeyPair(key: string, secret: string): void };
  registry: Map<string, unknown>;
}

const require = createRequire(import.meta.url);

/** s3rver only knows its own dummy key pair: register the local stack's credentials too. */
function registerLocalCredentials(): void {
  const Account = require('s3rver/lib/models/account.js') as AccountClass;
  const { accessKeyId, secretAccessKey } = LOCAL_AWS.credentials;
  if (!Account.registry.has(accessKeyId)) {
    new Account('000000000000', 'local').createKeyPair(accessKeyId, secretAccessKey);
  }
}

export interface S3Local {
  endpoint: string;
  port: number;
  bucketNames: Record<BucketName, string>;
  stop(): Promise<void>;
}

export async function startS3Local(
  opts: { dataDir?: string; port?: number } = {},
): Promise<S3Local> {
  const S3rver = require('s3rver') as S3rverClass;
  registerLocalCredentials();
  const temp = opts.dataDir ? undefined : mkdtempSync(join(tmpdir(), 's3-local-'));
  const directory = opts.dataDir ?? temp!;
  mkdirSync(directory, { recursive: true });
  const bucketNames = localBucketNames();
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    silent: true,
    directory,
    // Existing buckets (a persistent data folder) are kept as they are.
    configureBuckets: Object.values(bucketNames).map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    bucketNames,
    async stop() {
      await server.close();
      if (temp) rmSync(temp, { recursive: true, force: true });
    },
  };
}

/** The handler environment for this server: the SDK's endpoint override and the bucket names. */
export function s3Env(s3: S3Local): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
  };
  for (const [name, def] of Object.entries(buckets) as [
    BucketName,
    (typeof buckets)[BucketName],
  ][]) {
    env[def.envVar] = s3.bucketNames[name];
  }
  return env;
}
