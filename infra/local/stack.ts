/**
 * The whole system on one machine: DynamoDB Local, the tables from the shared definitions, the
 * HTTP API (payload 2.0 events into the deployed handler modules) and the stream consumers.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tables, type TableName } from '../../shared/config/tables.ts';
import { streamConsumers } from '../../shared/config/streams.ts';
import { LOCAL_AWS, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { ensureTables, localTableNames } from './tables.ts';
import { handleHttp, isHttpApiPath, type Authorizer, type Claims } from './apigw-http.ts';
import { StreamPoller, type StreamHandler } from './stream-poller.ts';
import { LocalWebSocketApi } from './apigw-ws.ts';
import { jwksOf, loadOrCreateKeys, localKeySet, LOCAL_AUDIENCE, LOCAL_ISSUER } from './auth.ts';
import { bearerToken, createVerifier } from '../../shared/auth/jwt.ts';
import { AUTH_ENV } from '../../shared/config/auth.ts';
import { LOCAL_CORS_ORIGINS } from '../../shared/config/cors.ts';
import { WS_ENDPOINT_ENV, WS_STAGE } from '../../shared/config/ws-routes.ts';
import { handleDocs, isDocsRequest } from './docs.ts';
import { s3Env, startS3Local, type S3Local } from './s3-local.ts';
import { RequestGate } from './request-gate.ts';
import { handleConsole, isConsoleRequest } from './web.ts';
import { runMigrations } from './migrations.ts';
import { writeStackState } from './stack-state.ts';

export interface LocalStackOptions {
  port: number;
  host?: string;
  /** Folder for DynamoDB Local's files and local state; undefined = in memory. */
  dataDir?: string;
  /** `--auth`: verify JWTs like the deployed stack, with keys from `<keysDir>/auth`. */
  auth?: { keysDir: string };
  /** Allowed browser origins (default: LOCAL_CORS_ORIGINS). */
  corsOrigins?: readonly string[];
  /** Poll interval of the local stream consumers, ms. */
  streamPollMs?: number;
  /**
   * Longest wait of a stream consumer between reads of a quiet stream, ms (default
   * STREAM_IDLE_MS). Writes the stack serves (HTTP requests other than reads, stream handler
   * invocations) wake the consumers at once; only a write from outside, such as a script
   * writing to DynamoDB Local directly, can wait this long to be delivered.
   */
  streamIdleMs?: number;
  /**
   * Concurrent batches per shard for every local stream consumer (1 = one at a time, the
   * default; AWS uses each consumer's declared parallelizationFactor). Turned on by the tests
   * and the soak phase that need interleaved batches.
   */
  streamParallelism?: number;
  /**
   * Replaces a stream consumer's handler by consumer id (default: its handler module). Tests
   * use it to hold or fail chosen batches; nothing in `npm start` sets it.
   */
  streamHandlers?: Partial<Record<string, StreamHandler>>;
  /**
   * Called with every DynamoDB client a document client is built on while the stack runs: the
   * hosted handlers' (built when each module first loads) and the stack's own. The benchmark
   * adds its capacity middleware here; the client is not yet in use when this is called.
   */
  onDynamoClient?: (client: DynamoDBClient) => void;
}

export interface LocalStack {
  url: string;
  wsUrl: string;
  /** Stream pollers by consumer id (tests read their on-failure counts). */
  pollers: Map<string, StreamPoller>;
  port: number;
  dynamodbEndpoint: string;
  /** Local S3-compatible server (s3rver) holding export files. */
  s3Endpoint: string;
  tableNames: Record<TableName, string>;
  /** Folder of the stream consumers' state: checkpoints, on-failure files, stack.json. */
  stateDir: string;
  /** Stops everything in order; resolves with when each phase ended, ms after the start. */
  stop(): Promise<StopTimings>;
}

export interface StopTimings {
  requests: number;
  streams: number;
  database: number;
  total: number;
}

/**
 * Polling a quiet stream every 100 ms kept an idle `npm start` at ~15% of a core (the
 * consumers' reads in Node and in DynamoDB Local); backing off to this costs a tenth of it.
 */
export const STREAM_IDLE_MS = 1_000;
/** Requests that cannot have written anything, so need not wake the stream consumers. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** How long requests already in flight may take to finish during a stop. */
const STOP_REQUESTS_MS = 10_000;
/** How long the stream consumers may take to catch up during a stop. */
const STOP_DRAIN_MS = 20_000;
/**
 * The operation worker stops after its current chunk instead of draining: a bulk operation
 * feeds its own stream chunk after chunk, and resumes from its checkpoint on the next start.
 */
const drains = (p: StreamPoller) => p.id !== 'OperationWorker';

/** Local "authorizer" when auth is off: every caller is `local-dev` with every scope. */
export const openAuthorizer: Authorizer = async () => ({
  sub: 'local-dev',
  scope: 'instances:read instances:write instances:admin',
});

/** API Gateway hands JWT claims to Lambda as strings; arrays look like "[a b]". */
function gatewayClaims(claims: Record<string, unknown>): Claims {
  const out: Claims = {};
  for (const [k, v] of Object.entries(claims))
    out[k] = Array.isArray(v) ? `[${v.join(' ')}]` : String(v);
  return out;
}

const sdkDocumentClient = DynamoDBDocumentClient.from;
const clientObservers = new Set<(client: DynamoDBClient) => void>();

/**
 * The handler modules build their clients themselves, at load, through `createDocumentClient`
 * (shared/aws/dynamo.ts), which is the SDK's `DynamoDBDocumentClient.from`: that factory is the
 * one place in this process where every one of them passes, so while an observer is registered
 * it shows each base client to the observers first. Returns the unregister function.
 */
function observeDynamoClients(observer: (client: DynamoDBClient) => void): () => void {
  clientObservers.add(observer);
  DynamoDBDocumentClient.from = (client, translateConfig) => {
    for (const o of clientObservers) o(client);
    return sdkDocumentClient.call(DynamoDBDocumentClient, client, translateConfig);
  };
  return () => {
    clientObservers.delete(observer);
    if (clientObservers.size === 0) DynamoDBDocumentClient.from = sdkDocumentClient;
  };
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  // Without a data folder, what the processes write (DynamoDB Local's working files, the
  // consumers' on-failure files) goes to one folder of this run, removed when it stops.
  const scratch = opts.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'inference-instances-'));
  const stateDir = scratch ?? join(opts.dataDir!, 'streams');
  const ddb: DynamoDbLocal = await startDynamoDbLocal(
    opts.dataDir
      ? { dataDir: join(opts.dataDir, 'dynamodb') }
      : { workDir: join(scratch!, 'dynamodb') },
  );
  const pollers = new Map<string, StreamPoller>();
  /** Something may have been written: every consumer reads its stream now. */
  const wakeStreams = () => {
    for (const poller of pollers.values()) poller.wake();
  };
  let server: Server | undefined;
  let ws: LocalWebSocketApi | undefined;
  let s3: S3Local | undefined;
  const gate = new RequestGate();
  let unobserve: (() => void) | undefined;
  /**
   * In the order that loses nothing: refuse new requests (503) and let those in flight finish;
   * let the stream consumers deliver what the database already holds (history of every
   * acknowledged write, then its broadcast); only then stop the database.
   */
  const stop = async () => {
    const began = Date.now();
    const phases: StopTimings = { requests: 0, streams: 0, database: 0, total: 0 };
    const phase = (name: keyof StopTimings) => (phases[name] = Date.now() - began);
    await gate.close(STOP_REQUESTS_MS);
    phase('requests');
    await Promise.all([...pollers.values()].filter((p) => !drains(p)).map((p) => p.stop()));
    const deadline = Date.now() + STOP_DRAIN_MS;
    for (const poller of [...pollers.values()].filter(drains)) {
      if (!(await poller.drain(deadline)))
        console.error(
          `[local] ${poller.id}: stopped before catching up; the rest follows on the next start`,
        );
    }
    phase('streams');
    await ws?.close();
    if (server) {
      const closed = new Promise<void>((r) => server!.close(() => r()));
      server.closeAllConnections();
      await closed;
    }
    await ddb.stop();
    phase('database');
    await s3?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    unobserve?.();
    phase('total');
    return phases;
  };
  try {
    if (opts.onDynamoClient) unobserve = observeDynamoClients(opts.onDynamoClient);
    const admin = new DynamoDBClient({ endpoint: ddb.endpoint, ...LOCAL_AWS });
    const tableNames = localTableNames();
    const streamArns = await ensureTables(admin, tableNames);
    admin.destroy();

    // The Lambda environment: the same variables the CDK stack sets, plus the SDK's endpoint override.
    const env: Record<string, string> = {
      AWS_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    };
    for (const [key, def] of Object.entries(tables) as [TableName, (typeof tables)[TableName]][]) {
      env[def.envVar] = tableNames[key];
    }
    // Local S3 for export files: endpoint and bucket names for the handlers.
    s3 = await startS3Local(opts.dataDir ? { dataDir: join(opts.dataDir, 's3') } : {});
    Object.assign(env, s3Env(s3));
    Object.assign(process.env, env);
    // Kept data may predate a migration; a fresh in-memory database holds nothing to migrate.
    if (opts.dataDir) await runMigrations();

    const host = opts.host ?? '127.0.0.1';
    const keys = opts.auth ? await loadOrCreateKeys(opts.auth.keysDir) : undefined;
    let authorizer: Authorizer = openAuthorizer;
    if (keys) {
      const verify = createVerifier(
        { issuer: LOCAL_ISSUER, audiences: [LOCAL_AUDIENCE], jwksUrl: '' },
        localKeySet(keys),
      );
      authorizer = async (header) => {
        const claims = await verify(bearerToken(header));
        return claims && gatewayClaims(claims);
      };
    }
    const wsApi = (ws = new LocalWebSocketApi());
    server = createServer((req, res) => {
      if (!gate.admit(res)) return;
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (keys && path === '/.well-known/jwks.json') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
        res.end(JSON.stringify(jwksOf(keys)));
        return;
      }
      if (isDocsRequest(path)) {
        handleDocs(req, res, path).catch(() => res.destroy());
        return;
      }
      if (wsApi.isManagementRequest(path)) {
        wsApi.handleManagement(req, res).catch((err: unknown) => {
          console.error('[local] management API failed', err);
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
        return;
      }
      if (isHttpApiPath(path)) {
        handleHttp(req, res, {
          authorizer,
          domainName: req.headers.host ?? 'localhost',
          corsOrigins: opts.corsOrigins ?? LOCAL_CORS_ORIGINS,
        })
          .catch((err: unknown) => {
            console.error('[local] request failed', err);
            if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: 'Internal Server Error' }));
          })
          .finally(() => {
            if (!READ_METHODS.has(req.method ?? 'GET')) wakeStreams();
          });
        return;
      }
      if (isConsoleRequest(path)) {
        handleConsole(req, res, path, { auth: Boolean(keys) }).catch(() => res.destroy());
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found' }));
    });
    server.on('upgrade', (req, socket, head) => {
      if (gate.closed) {
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\nretry-after: 5\r\nconnection: close\r\n\r\n',
        );
        return;
      }
      const path = (req.url ?? '/').split('?')[0];
      if (path !== `/${WS_STAGE}`) {
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
        return;
      }
      wsApi.handleUpgrade(req, socket, head).catch((err: unknown) => {
        console.error('[local] upgrade failed', err);
        socket.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(opts.port, host, () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : opts.port;
    const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    env[WS_ENDPOINT_ENV] = `${base}/${WS_STAGE}`;
    if (keys) {
      // What CDK sets on the $connect function: it verifies `?token=` against this issuer.
      env[AUTH_ENV.issuer] = LOCAL_ISSUER;
      env[AUTH_ENV.audience] = LOCAL_AUDIENCE;
      env[AUTH_ENV.jwksUrl] = `${base}/.well-known/jwks.json`;
    }
    Object.assign(process.env, env);

    for (const consumer of streamConsumers) {
      const arn = streamArns[consumer.sourceTable];
      if (!arn) throw new Error(`Table ${consumer.sourceTable} has no stream`);
      const poller = new StreamPoller({
        consumer,
        streamArn: arn,
        endpoint: ddb.endpoint,
        pollMs: opts.streamPollMs ?? 100,
        idleMs: opts.streamIdleMs ?? STREAM_IDLE_MS,
        // A handler may have written to a stream another consumer (or this one) reads.
        afterInvoke: wakeStreams,
        stateDir,
        parallelization: opts.streamParallelism ?? 1,
        ...(opts.streamHandlers?.[consumer.id]
          ? { handler: opts.streamHandlers[consumer.id] }
          : {}),
      });
      pollers.set(consumer.id, poller);
      poller.start();
    }
    // What `npm run redrive` needs to replay failures with the same handlers and tables.
    writeStackState(stateDir, {
      env,
      dynamodb: ddb.endpoint,
      dynamodbPid: ddb.pid,
      streams: streamArns,
    });

    return {
      url: base,
      wsUrl: `${base.replace(/^http/, 'ws')}/${WS_STAGE}`,
      port,
      dynamodbEndpoint: ddb.endpoint,
      s3Endpoint: s3.endpoint,
      tableNames,
      pollers,
      stateDir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
