/**
 * The whole system on one machine: DynamoDB Local, the tables from the shared definitions, the
 * HTTP API (payload 2.0 events into the deployed handler modules) and the stream consumers.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tables, type TableName } from '../../shared/config/tables.ts';
import { streamConsumers } from '../../shared/config/streams.ts';
import { LOCAL_AWS, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { ensureTables, localTableNames } from './tables.ts';
import { handleHttp, type Authorizer, type Claims } from './apigw-http.ts';
import { StreamPoller } from './stream-poller.ts';
import { LocalWebSocketApi } from './apigw-ws.ts';
import { jwksOf, loadOrCreateKeys, localKeySet, LOCAL_AUDIENCE, LOCAL_ISSUER } from './auth.ts';
import { bearerToken, createVerifier } from '../../shared/auth/jwt.ts';
import { AUTH_ENV } from '../../shared/config/auth.ts';
import { LOCAL_CORS_ORIGINS } from '../../shared/config/cors.ts';
import { WS_ENDPOINT_ENV, WS_STAGE } from '../../shared/config/ws-routes.ts';
import { handleDocs, isDocsRequest } from './docs.ts';
import { s3Env, startS3Local, type S3Local } from './s3-local.ts';

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
  stop(): Promise<void>;
}

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

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const ddb: DynamoDbLocal = await startDynamoDbLocal(
    opts.dataDir ? { dataDir: join(opts.dataDir, 'dynamodb') } : {},
  );
  const pollers = new Map<string, StreamPoller>();
  let server: Server | undefined;
  let ws: LocalWebSocketApi | undefined;
  let s3: S3Local | undefined;
  const stop = async () => {
    await Promise.all([...pollers.values()].map((p) => p.stop()));
    await ws?.close();
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    server?.closeAllConnections();
    await ddb.stop();
    await s3?.stop();
  };
  try {
    const admin = new DynamoDBClient({ endpoint: ddb.endpoint, ...LOCAL_AWS });
    const tableNames = localTableNames();
    const streamArns = await ensureTables(admin, tableNames);
    admin.destroy();

    // The Lambda environment: the same variables the CDK stack sets, plus the SDK's endpoint override.
    process.env.AWS_REGION = LOCAL_AWS.region;
    process.env.AWS_ACCESS_KEY_ID = LOCAL_AWS.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_AWS.credentials.secretAccessKey;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint;
    for (const [key, def] of Object.entries(tables) as [TableName, (typeof tables)[TableName]][]) {
      process.env[def.envVar] = tableNames[key];
    }
    // Local S3 for export files (issue #8): endpoint and bucket names for the handlers.
    s3 = await startS3Local(opts.dataDir ? { dataDir: join(opts.dataDir, 's3') } : {});
    Object.assign(process.env, s3Env(s3));

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
      if (path === '/api' || path.startsWith('/api/')) {
        handleHttp(req, res, {
          authorizer,
          domainName: req.headers.host ?? 'localhost',
          corsOrigins: opts.corsOrigins ?? LOCAL_CORS_ORIGINS,
        }).catch((err: unknown) => {
          console.error('[local] request failed', err);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'Internal Server Error' }));
        });
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found' }));
    });
    server.on('upgrade', (req, socket, head) => {
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
    process.env[WS_ENDPOINT_ENV] = `${base}/${WS_STAGE}`;
    if (keys) {
      // What CDK sets on the $connect function: it verifies `?token=` against this issuer.
      process.env[AUTH_ENV.issuer] = LOCAL_ISSUER;
      process.env[AUTH_ENV.audience] = LOCAL_AUDIENCE;
      process.env[AUTH_ENV.jwksUrl] = `${base}/.well-known/jwks.json`;
    }

    for (const consumer of streamConsumers) {
      const arn = streamArns[consumer.sourceTable];
      if (!arn) throw new Error(`Table ${consumer.sourceTable} has no stream`);
      const poller = new StreamPoller({
        consumer,
        streamArn: arn,
        endpoint: ddb.endpoint,
        pollMs: opts.streamPollMs ?? 100,
        ...(opts.dataDir ? { stateDir: join(opts.dataDir, 'streams') } : {}),
      });
      pollers.set(consumer.id, poller);
      poller.start();
    }

    return {
      url: base,
      wsUrl: `${base.replace(/^http/, 'ws')}/${WS_STAGE}`,
      port,
      dynamodbEndpoint: ddb.endpoint,
      s3Endpoint: s3.endpoint,
      tableNames,
      pollers,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
