/**
 * Local S3: the npm package `s3rver` (an S3-compatible server in this process) serving the
 * buckets of shared/config/buckets.ts, so the export code runs unchanged against it; handlers
 * reach it through the SDK's own `AWS_ENDPOINT_URL_S3`. Objects live under the data folder
 * (a temp folder for in-memory runs).
 *
 * s3rver itself accepts anonymous requests and does not check V4 signatures, so it is never
 * reachable directly: it listens on a Unix socket in a private folder, and the endpoint the
 * stack publishes is a gate that verifies every request as S3 would for a private bucket
 * (BlockPublicAccess, as deployed) before passing it on. A request passes only with a valid
 * AWS Signature V4 by the local credentials, either in the query string (presigned URLs:
 * X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders, -Signature; expired ones are
 * refused) or in the `Authorization` header (the SDK client of the handlers), whose
 * `x-amz-content-sha256` must match the body. Signatures are recomputed with
 * `@smithy/signature-v4`, the signer the SDK itself uses, from the request as received.
 * Refusals have S3's status codes and XML error shape. So a URL or call that works locally
 * works on S3; the reverse is not promised (the gate is stricter in a few corners, below).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALGORITHM_IDENTIFIER,
  MAX_PRESIGNED_TTL,
  SignatureV4,
  UNSIGNED_PAYLOAD,
  createScope,
  getCanonicalHeaders,
  getSigningKey,
} from '@smithy/signature-v4';
import { buckets, type BucketName } from '../../shared/config/buckets.ts';
import { LOCAL_AWS } from './dynamodb-local.ts';

export const LOCAL_BUCKET_PREFIX = 'inference-instances-';

export const localBucketNames = (): Record<BucketName, string> =>
  Object.fromEntries(Object.keys(buckets).map((k) => [k, `${LOCAL_BUCKET_PREFIX}${k}`])) as Record<
    BucketName,
    string
  >;

interface S3rverInstance {
  configureBuckets(): Promise<unknown>;
  /** s3rver's own listen: its request handler plus the close hook that releases its logger. */
  listen(path: string): Promise<Server>;
  httpServer?: Server;
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

// ---------------------------------------------------------------------------------------------
// Signature V4 verification

/** S3's clock-skew allowance for header-signed requests (and for a presigned date ahead of us). */
const MAX_SKEW_MS = 15 * 60 * 1000;
/**
 * Bodies whose `x-amz-content-sha256` is a digest are held in memory to check it before s3rver
 * sees them. Export parts are 8 MiB; S3 takes up to 5 GB in one PUT, the gate refuses more than
 * this (a local limit, stricter than S3).
 */
const MAX_VERIFIED_BODY = 64 * 1024 * 1024;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const LONG_DATE = /^\d{8}T\d{6}Z$/;

/** A refusal, rendered by `sendS3Error` in S3's XML shape. */
export class S3Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

const accessDenied = (message = 'Access Denied', fields?: Record<string, string>) =>
  new S3Refusal(403, 'AccessDenied', message, fields);

type SignableRequest = Parameters<typeof getCanonicalHeaders>[0];

/** node:crypto in the shape the signer takes (`new (secret?) => { update, digest }`). */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The SDK's signer, opened up to give the canonical request and string to sign it would use. */
class Recomputer extends SignatureV4 {
  constructor(private readonly credentials: { accessKeyId: string; secretAccessKey: string }) {
    // S3 signs the path as sent (no second escaping), like the SDK's S3 client.
    super({
      credentials,
      region: LOCAL_AWS.region,
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
    });
  }

  async expected(
    request: SignableRequest,
    signedHeaders: ReadonlySet<string>,
    payloadHash: string,
    longDate: string,
  ): Promise<{ signature: string; canonicalRequest: string; stringToSign: string }> {
    const shortDate = longDate.slice(0, 8);
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(signedHeaders));
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    const scope = createScope(shortDate, LOCAL_AWS.region, 's3');
    const stringToSign = await this.createStringToSign(
      longDate,
      scope,
      canonicalRequest,
      ALGORITHM_IDENTIFIER,
    );
    const key = await getSigningKey(Sha256, this.credentials, shortDate, LOCAL_AWS.region, 's3');
    const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
    return { signature, canonicalRequest, stringToSign };
  }
}

const recomputer = new Recomputer(LOCAL_AWS.credentials);

/** `20260101T120000Z` → epoch ms (NaN when it is no date). */
const parseLongDate = (d: string) =>
  Date.parse(
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 11)}:${d.slice(11, 13)}:${d.slice(13)}`,
  );

interface Authorization {
  kind: 'query' | 'header';
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
  longDate: string;
  payloadHash: string;
}

/** Query pairs, decoded once (`+` is a literal plus, as SigV4 canonicalises it). */
function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      throw new S3Refusal(400, 'InvalidURI', "Couldn't parse the specified URI.");
    }
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/** Header values as received (repeated headers joined with commas, as SigV4 does). */
function rawHeaderValues(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    out.set(name, out.has(name) ? `${out.get(name)},${value}` : value);
  }
  return out;
}

function parseCredential(credential: string, kind: 'query' | 'header') {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => !p))
    throw malformed(kind, `Error parsing the Credential parameter: "${credential}"`);
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { accessKeyId, scopeDate, region, service, terminator };
}

const malformed = (kind: 'query' | 'header', message: string) =>
  kind === 'query'
    ? new S3Refusal(400, 'AuthorizationQueryParametersError', message)
    : new S3Refusal(400, 'AuthorizationHeaderMalformed', message);

const single = (query: Map<string, string[]>, key: string): string | undefined => {
  const values = query.get(key);
  return values && values.length === 1 ? values[0] : undefined;
};

/** Which mechanism signed the request and its parts; refuses anything but SigV4. */
function readAuthorization(
  query: Map<string, string[]>,
  headers: Map<string, string>,
  now: number,
): Authorization {
  const header = headers.get('authorization');
  const inQuery = query.has('X-Amz-Algorithm');
  const v2Query = query.has('Signature') || query.has('AWSAccessKeyId');
  if ([header !== undefined, inQuery, v2Query].filter(Boolean).length > 1)
    throw new S3Refusal(
      400,
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  if (v2Query || (header !== undefined && !header.startsWith(`${ALGORITHM_IDENTIFIER} `)))
    throw new S3Refusal(
      400,
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );

  if (header !== undefined) {
    const fields = new Map<string, string>();
    for (const part of header.slice(ALGORITHM_IDENTIFIER.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credential = fields.get('Credential');
    const signedHeaders = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    if (!credential || !signedHeaders || !signature)
      throw malformed(
        'header',
        'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
      );
    const longDate = headers.get('x-amz-date');
    if (!longDate || !LONG_DATE.test(longDate))
      throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
    const at = parseLongDate(longDate);
    if (!Number.isFinite(at) || Math.abs(now - at) > MAX_SKEW_MS)
      throw new S3Refusal(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
        { RequestTime: longDate, ServerTime: new Date(now).toISOString() },
      );
    const payloadHash = headers.get('x-amz-content-sha256');
    if (payloadHash === undefined)
      throw new S3Refusal(
        400,
        'InvalidRequest',
        'Missing required header for this request: x-amz-content-sha256',
      );
    return {
      kind: 'header',
      ...parseCredential(credential, 'header'),
      signedHeaders: signedHeaders.split(';'),
      signature,
      longDate,
      payloadHash,
    };
  }

  if (!inQuery) throw accessDenied();
  if (single(query, 'X-Amz-Algorithm') !== ALGORITHM_IDENTIFIER)
    throw malformed('query', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const credential = single(query, 'X-Amz-Credential');
  const longDate = single(query, 'X-Amz-Date');
  const expires = single(query, 'X-Amz-Expires');
  const signedHeaders = single(query, 'X-Amz-SignedHeaders');
  const signature = single(query, 'X-Amz-Signature');
  if (!credential || !longDate || !expires || !signedHeaders || !signature)
    throw malformed(
      'query',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  if (!LONG_DATE.test(longDate))
    throw malformed(
      'query',
      "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
    );
  if (!/^\d{1,7}$/.test(expires)) throw malformed('query', 'X-Amz-Expires should be a number');
  const ttl = Number(expires);
  if (ttl > MAX_PRESIGNED_TTL)
    throw malformed(
      'query',
      `X-Amz-Expires must be less than a week (in seconds) that is; the given X-Amz-Expires must be less than ${MAX_PRESIGNED_TTL} seconds`,
    );
  const at = parseLongDate(longDate);
  if (!Number.isFinite(at))
    throw malformed(
      'query',
      "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
    );
  if (now > at + ttl * 1000)
    throw accessDenied('Request has expired', {
      'X-Amz-Expires': expires,
      Expires: new Date(at + ttl * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ServerTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  if (at > now + MAX_SKEW_MS) throw accessDenied('Request is not valid yet');
  return {
    kind: 'query',
    ...parseCredential(credential, 'query'),
    signedHeaders: signedHeaders.split(';'),
    signature,
    longDate,
    payloadHash: single(query, 'X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD,
  };
}

/**
 * Verifies a request's SigV4 signature against the local credentials. Resolves with the body
 * when it had to be read to check its digest (the caller forwards that instead of the stream).
 */
export async function verifyRequest(
  req: IncomingMessage,
  now = Date.now(),
): Promise<{ body?: Buffer }> {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = parseQuery(q < 0 ? '' : target.slice(q + 1));
  const headers = rawHeaderValues(req);
  const auth = readAuthorization(query, headers, now);

  if (auth.accessKeyId !== LOCAL_AWS.credentials.accessKeyId)
    throw new S3Refusal(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: auth.accessKeyId },
    );
  if (auth.terminator !== 'aws4_request' || auth.service !== 's3')
    throw malformed(
      auth.kind,
      `Error parsing the Credential parameter; incorrect service or terminator`,
    );
  if (auth.region !== LOCAL_AWS.region)
    throw malformed(
      auth.kind,
      `Error parsing the Credential: the region '${auth.region}' is wrong; expecting '${LOCAL_AWS.region}'`,
    );
  if (auth.scopeDate !== auth.longDate.slice(0, 8))
    throw malformed(auth.kind, 'Invalid credential date. Date is not the same as X-Amz-Date.');

  const signed = new Set(auth.signedHeaders);
  if (!signed.has('host'))
    throw malformed(auth.kind, 'The host header must be signed (SignedHeaders lacks "host")');
  // S3 refuses x-amz-* headers the signature does not cover: they change what the request does.
  const unsigned = [...headers.keys()].filter((h) => h.startsWith('x-amz-') && !signed.has(h));
  if (unsigned.length)
    throw accessDenied('There were headers present in the request which were not signed', {
      HeadersNotSigned: unsigned.join(', '),
    });

  const request: SignableRequest = {
    method: req.method ?? 'GET',
    protocol: 'http:',
    hostname: headers.get('host') ?? '',
    path,
    query: Object.fromEntries([...query].map(([k, v]) => [k, v.length === 1 ? v[0]! : v] as const)),
    headers: Object.fromEntries(
      auth.signedHeaders.flatMap((h) => (headers.has(h) ? [[h, headers.get(h)!]] : [])),
    ),
  };
  const expected = await recomputer.expected(request, signed, auth.payloadHash, auth.longDate);
  const given = Buffer.from(auth.signature, 'utf8');
  const computed = Buffer.from(expected.signature, 'utf8');
  if (given.length !== computed.length || !timingSafeEqual(given, computed))
    throw new S3Refusal(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      {
        AWSAccessKeyId: auth.accessKeyId,
        StringToSign: expected.stringToSign,
        SignatureProvided: auth.signature,
        CanonicalRequest: expected.canonicalRequest,
      },
    );
  return auth.kind === 'header' ? verifyPayload(req, auth.payloadHash) : {};
}

/** Checks the body against a header-signed `x-amz-content-sha256`, as S3 does. */
async function verifyPayload(
  req: IncomingMessage,
  payloadHash: string,
): Promise<{ body?: Buffer }> {
  if (payloadHash === UNSIGNED_PAYLOAD) return {};
  if (payloadHash.startsWith('STREAMING-'))
    // aws-chunked bodies need per-chunk verification and decoding, which s3rver lacks; the SDK
    // sends them only for streams of unknown length, which the handlers never upload.
    throw new S3Refusal(
      501,
      'NotImplemented',
      'The local S3 does not accept aws-chunked uploads (x-amz-content-sha256: STREAMING-…)',
    );
  if (!/^[0-9a-f]{64}$/.test(payloadHash))
    throw new S3Refusal(
      400,
      'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.',
      { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash },
    );
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_VERIFIED_BODY)
    throw new S3Refusal(
      400,
      'EntityTooLarge',
      `The local S3 verifies bodies of at most ${MAX_VERIFIED_BODY} bytes in memory`,
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_VERIFIED_BODY)
      throw new S3Refusal(
        400,
        'EntityTooLarge',
        `The local S3 verifies bodies of at most ${MAX_VERIFIED_BODY} bytes in memory`,
      );
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  const actual = size === 0 ? EMPTY_SHA256 : createHash('sha256').update(body).digest('hex');
  if (actual !== payloadHash)
    throw new S3Refusal(
      400,
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: actual },
    );
  return { body };
}

const xml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );

/** S3's error response: XML `<Error>` with a code, a message and the request id. */
export function sendS3Error(res: ServerResponse, method: string | undefined, err: S3Refusal): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    `<Code>${xml(err.code)}</Code><Message>${xml(err.message)}</Message>` +
    Object.entries(err.fields)
      .map(([k, v]) => `<${k}>${xml(v)}</${k}>`)
      .join('') +
    `<RequestId>${requestId}</RequestId><HostId>local</HostId></Error>`;
  res.writeHead(err.status, {
    'content-type': 'application/xml',
    'x-amz-request-id': requestId,
    // HEAD responses carry no body, so S3 names the error in a header clients can read.
    ...(method === 'HEAD' ? { 'x-amz-error-code': err.code } : {}),
    'content-length': method === 'HEAD' ? 0 : Buffer.byteLength(body),
  });
  res.end(method === 'HEAD' ? undefined : body);
}

// ---------------------------------------------------------------------------------------------
// The server

/** Headers that belong to one hop, not to the request s3rver should see. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'expect', 'transfer-encoding', 'upgrade']);

function forward(
  socketPath: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer | undefined,
): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  if (body) headers['content-length'] = String(body.length);
  else if (req.headers['transfer-encoding']) headers['transfer-encoding'] = 'chunked';
  const upstream = httpRequest({ socketPath, method: req.method, path: req.url, headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent)
      sendS3Error(
        res,
        req.method,
        new S3Refusal(500, 'InternalError', 'We encountered an internal error. Please try again.'),
      );
    else res.destroy();
  });
  if (body) upstream.end(body);
  else req.pipe(upstream);
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
  const s3rver = new S3rver({
    silent: true,
    directory,
    // Existing buckets (a persistent data folder) are kept as they are.
    configureBuckets: Object.values(bucketNames).map((name) => ({ name })),
  });
  await s3rver.configureBuckets();
  // mkdtemp makes the folder private to this user: only the gate below talks to s3rver.
  const socketDir = mkdtempSync(join(tmpdir(), 's3-gate-'));
  const socketPath =
    process.platform === 'win32'
      ? `\\\\.\\pipe\\s3-local-${randomBytes(8).toString('hex')}`
      : join(socketDir, 's3rver.sock');
  s3rver.httpServer = await s3rver.listen(socketPath);

  const gate = createServer((req, res) => {
    verifyRequest(req)
      .then(({ body }) => forward(socketPath, req, res, body))
      .catch((err: unknown) => {
        const refusal =
          err instanceof S3Refusal
            ? err
            : new S3Refusal(
                500,
                'InternalError',
                'We encountered an internal error. Please try again.',
              );
        if (!(err instanceof S3Refusal)) console.error('[local s3] request failed', err);
        // An unread body would be taken for the next request on a kept-alive connection.
        res.setHeader('connection', 'close');
        sendS3Error(res, req.method, refusal);
        req.resume();
      });
  });
  await new Promise<void>((resolve, reject) => {
    gate.once('error', reject);
    gate.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = gate.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    bucketNames,
    async stop() {
      const closed = new Promise<void>((r) => gate.close(() => r()));
      gate.closeAllConnections();
      await closed;
      await s3rver.close();
      rmSync(socketDir, { recursive: true, force: true });
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
