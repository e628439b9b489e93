/**
 * The few S3 calls the exports make (multipart upload, presigned GET), through S3's REST API:
 * SigV4 by the SDK's own signer, `fetch`, and a few lines of XML. The SDK's S3 client would add
 * ~130 KB to every Lambda that touches the bucket (its model, XML codec, checksums and
 * S3-specific middleware), while the signer, the SDK's credential chain, its region lookup and
 * SHA-256 are already in every bundle through the DynamoDB client.
 *
 * Configuration follows the SDK's: the endpoint from `AWS_ENDPOINT_URL_S3` (or
 * `AWS_ENDPOINT_URL`), `S3_FORCE_PATH_STYLE=true` for S3-compatible servers (the local stack's)
 * that do not serve virtual-hosted bucket names, the region and the credentials from the SDK's
 * default chains. Transient failures (5xx, throttling, dropped connections) are retried like
 * the SDK's standard retry mode; errors carry S3's error code as `name` and the status in
 * `$metadata.httpStatusCode`, as the SDK's do (shared/ops/retry.ts reads both).
 */
import { createHash } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import {
  loadConfig,
  NODE_REGION_CONFIG_FILE_OPTIONS,
  NODE_REGION_CONFIG_OPTIONS,
} from '@smithy/core/config';
import { SignatureV4 } from '@smithy/signature-v4';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3Options {
  /** Default: the SDK's region chain (`AWS_REGION`, then the shared config files). */
  region?: string;
  /** Default: the SDK's default credential chain (on Lambda, the function's role). */
  credentials?: S3Credentials | (() => Promise<S3Credentials>);
  /** Default: `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, else S3's regional endpoint. */
  endpoint?: string;
  /** The bucket in the path rather than the host name. Default: `S3_FORCE_PATH_STYLE=true`. */
  forcePathStyle?: boolean;
  /** The transport (tests wrap it to inject faults). Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** An S3 error response (or a 200 that carries one, as CompleteMultipartUpload may). */
export class S3Error extends Error {
  readonly $metadata: { httpStatusCode: number; requestId?: string };

  constructor(code: string, message: string, status: number, requestId?: string) {
    super(message || code);
    this.name = code;
    this.$metadata = { httpStatusCode: status, ...(requestId ? { requestId } : {}) };
  }
}

interface S3Request {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  bucket: string;
  key: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

/** The SDK's standard retry mode: three attempts, full-jitter exponential backoff. */
const MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 100;
const RETRYABLE_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
]);
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** RFC 3986 percent-encoding, as SigV4 canonicalises it (`encodeURIComponent` leaves `!'()*`). */
const escapeUri = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

const queryString = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([k, v]) => `${escapeUri(k)}=${escapeUri(v)}`)
    .join('&');

const XML_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** The text of the first `<tag>` in an S3 XML response (S3's documents have no CDATA). */
function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]?.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, name: string) =>
    name.startsWith('#')
      ? String.fromCodePoint(
          name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1)),
        )
      : (XML_ENTITIES[name] ?? entity),
  );
}

const xmlEscape = (s: string) =>
  s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class S3RestClient {
  private readonly signer: SignatureV4;
  private readonly region: () => Promise<string>;
  private readonly endpoint: URL | undefined;
  private readonly forcePathStyle: boolean;
  private readonly fetch: typeof fetch;

  constructor(options: S3Options = {}) {
    const configured = options.region;
    this.region = configured
      ? async () => configured
      : loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS);
    const endpoint =
      options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    this.endpoint = endpoint ? new URL(endpoint) : undefined;
    this.forcePathStyle = options.forcePathStyle ?? process.env.S3_FORCE_PATH_STYLE === 'true';
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    const credentials = options.credentials ?? defaultProvider();
    this.signer = new SignatureV4({
      service: 's3',
      region: this.region,
      credentials: typeof credentials === 'function' ? credentials : async () => credentials,
      sha256: Sha256,
      // S3 signs the path as sent (one encoding), unlike other services.
      uriEscapePath: false,
    });
  }

  /** A GET URL for the object, signed in its query string, valid `expiresIn` seconds. */
  async presignGet(
    bucket: string,
    key: string,
    expiresIn: number,
    signingDate = new Date(),
  ): Promise<string> {
    const target = await this.target(bucket, key);
    const signed = await this.signer.presign(
      {
        method: 'GET',
        protocol: target.url.protocol,
        hostname: target.url.hostname,
        ...(target.url.port ? { port: Number(target.url.port) } : {}),
        path: target.path,
        query: {},
        // As the SDK's S3 presigner: the payload is not signed (the URL is for a download).
        headers: { host: target.url.host, 'X-Amz-Content-Sha256': UNSIGNED_PAYLOAD },
      },
      { expiresIn, signingDate },
    );
    return `${target.url.origin}${target.path}?${queryString(signed.query as Record<string, string>)}`;
  }

  /** CreateMultipartUpload; `headers` (content-type, content-disposition) apply to the object. */
  async createMultipartUpload(
    bucket: string,
    key: string,
    headers: Record<string, string> = {},
  ): Promise<string> {
    const res = await this.send({ method: 'POST', bucket, key, query: { uploads: '' }, headers });
    const uploadId = xmlText(res.body, 'UploadId');
    if (!uploadId) throw new Error('CreateMultipartUpload returned no UploadId');
    return uploadId;
  }

  /** UploadPart; resolves with the part's ETag. */
  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
  ): Promise<string> {
    const res = await this.send({
      method: 'PUT',
      bucket,
      key,
      query: { partNumber: String(partNumber), uploadId },
      body,
    });
    const etag = res.headers.get('etag');
    if (!etag) throw new Error('UploadPart returned no ETag');
    return etag;
  }

  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly { partNumber: number; etag: string }[],
  ): Promise<void> {
    const body =
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      parts
        .map(
          (p) =>
            `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${xmlEscape(p.etag)}</ETag></Part>`,
        )
        .join('') +
      '</CompleteMultipartUpload>';
    await this.send({
      method: 'POST',
      bucket,
      key,
      query: { uploadId },
      headers: { 'content-type': 'application/xml' },
      body,
    });
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.send({ method: 'DELETE', bucket, key, query: { uploadId } });
  }

  /** The object's URL and the path to sign (virtual-hosted unless path style is asked for). */
  private async target(bucket: string, key: string): Promise<{ url: URL; path: string }> {
    const objectPath = `/${key.split('/').map(escapeUri).join('/')}`;
    // A bucket name with dots does not match S3's wildcard certificate as a host name.
    const pathStyle = this.forcePathStyle || bucket.includes('.');
    let url: URL;
    if (this.endpoint) {
      url = new URL(this.endpoint.href);
      if (!pathStyle) url.hostname = `${bucket}.${url.hostname}`;
    } else {
      const region = await this.region();
      // The standard and China partitions; others set AWS_ENDPOINT_URL_S3.
      const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
      url = new URL(`https://${pathStyle ? '' : `${bucket}.`}s3.${region}.${suffix}`);
    }
    const base = url.pathname.replace(/\/$/, '');
    return { url, path: `${base}${pathStyle ? `/${escapeUri(bucket)}` : ''}${objectPath}` };
  }

  /** One signed request, retried on transient failures; throws S3Error for error responses. */
  private async send(req: S3Request): Promise<{ body: string; headers: Headers }> {
    const target = await this.target(req.bucket, req.key);
    const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    const payloadHash = body ? createHash('sha256').update(body).digest('hex') : EMPTY_SHA256;
    const query = req.query ?? {};
    const url = `${target.url.origin}${target.path}${Object.keys(query).length ? `?${queryString(query)}` : ''}`;
    for (let attempt = 1; ; attempt++) {
      const signed = await this.signer.sign({
        method: req.method,
        protocol: target.url.protocol,
        hostname: target.url.hostname,
        ...(target.url.port ? { port: Number(target.url.port) } : {}),
        path: target.path,
        query,
        headers: {
          ...req.headers,
          host: target.url.host,
          'x-amz-content-sha256': payloadHash,
        },
        ...(body ? { body } : {}),
      });
      // `fetch` sets Host (and Content-Length) itself from the URL and the body.
      const { host: _host, ...headers } = signed.headers;
      let failure: unknown;
      try {
        const res = await this.fetch(url, {
          method: req.method,
          headers,
          ...(body ? { body } : {}),
        });
        const text = await res.text();
        // CompleteMultipartUpload can fail after its 200 status was sent: the body says so.
        const failed = !res.ok || /^\s*(<\?xml[^>]*>\s*)?<Error>/.test(text);
        if (!failed) return { body: text, headers: res.headers };
        failure = new S3Error(
          xmlText(text, 'Code') ?? `Http${res.status}`,
          xmlText(text, 'Message') ?? '',
          // As the SDK reports an error inside a 200.
          res.ok ? 400 : res.status,
          res.headers.get('x-amz-request-id') ?? undefined,
        );
      } catch (err) {
        // A dropped or refused connection: `fetch` puts the socket's error code in `cause`.
        const cause = (err as { cause?: { code?: unknown } }).cause;
        failure = Object.assign(err as Error, {
          ...(typeof cause?.code === 'string' ? { code: cause.code } : {}),
          $retryable: {},
        });
      }
      if (attempt >= MAX_ATTEMPTS || !retryable(failure)) throw failure;
      await sleep(Math.random() * BACKOFF_BASE_MS * 2 ** attempt);
    }
  }
}

function retryable(err: unknown): boolean {
  if (!(err instanceof S3Error)) return true;
  return err.$metadata.httpStatusCode >= 500 || RETRYABLE_CODES.has(err.name);
}

/** One S3 client per execution environment, configured from the environment (see above). */
export function createS3Client(options?: S3Options): S3RestClient {
  return new S3RestClient(options);
}
