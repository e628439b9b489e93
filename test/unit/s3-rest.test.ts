/**
 * The S3 REST client of the exports (shared/aws/s3.ts) against a recorded transport: what it
 * sends for each call, how it reads S3's answers and errors, and what it retries. That S3 (the
 * local stack's SigV4 gate) accepts its signatures is shown by the integration tests
 * (hardening-s3, operations, operations-faults).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createS3Client, S3Error, type S3Options } from '../../shared/aws/s3.ts';
import { isTransient } from '../../shared/ops/retry.ts';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A client whose transport records each request and answers with the next response. */
function recorded(responses: (Response | Error)[], options: S3Options = {}) {
  const sent: Sent[] = [];
  const s3 = createS3Client({
    region: 'eu-west-1',
    credentials,
    endpoint: 'http://127.0.0.1:4566',
    forcePathStyle: true,
    ...options,
    fetch: async (input, init) => {
      sent.push({
        url: String(input),
        method: init?.method ?? 'GET',
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        body: init?.body ? Buffer.from(init.body as Uint8Array).toString() : '',
      });
      const next = responses.shift();
      if (!next) throw new Error('no response left');
      if (next instanceof Error) throw next;
      return next;
    },
  });
  return { s3, sent };
}

const xml = (body: string, status = 200) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { 'content-type': 'application/xml' },
  });

const s3Error = (code: string, status: number) =>
  xml(`<Error><Code>${code}</Code><Message>says ${code}</Message></Error>`, status);

describe('S3RestClient (shared/aws/s3.ts)', () => {
  it('creates a multipart upload: signed POST ?uploads with the object headers', async () => {
    // Prepare
    const { s3, sent } = recorded([
      xml(
        '<InitiateMultipartUploadResult><UploadId>a&amp;b</UploadId></InitiateMultipartUploadResult>',
      ),
    ]);
    // Act
    const uploadId = await s3.createMultipartUpload('bucket', 'exports/x y.json', {
      'content-type': 'application/json',
      'content-disposition': 'attachment; filename="x.json"',
    });
    // Assess
    expect(uploadId).toBe('a&b');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method).toBe('POST');
    expect(sent[0]!.url).toBe('http://127.0.0.1:4566/bucket/exports/x%20y.json?uploads=');
    expect(sent[0]!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=content-disposition;content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(sent[0]!.headers['x-amz-content-sha256']).toBe(
      createHash('sha256').update('').digest('hex'),
    );
    expect(sent[0]!.headers.host).toBeUndefined();
  });

  it('uploads a part with its SHA-256 signed and returns the ETag', async () => {
    // Prepare
    const { s3, sent } = recorded([new Response(null, { headers: { etag: '"abc"' } })]);
    const body = Buffer.from('part one');
    // Act
    const etag = await s3.uploadPart('bucket', 'k', 'up/1', 1, body);
    // Assess
    expect(etag).toBe('"abc"');
    expect(sent[0]!.method).toBe('PUT');
    expect(sent[0]!.url).toBe('http://127.0.0.1:4566/bucket/k?partNumber=1&uploadId=up%2F1');
    expect(sent[0]!.headers['x-amz-content-sha256']).toBe(
      createHash('sha256').update(body).digest('hex'),
    );
    expect(sent[0]!.body).toBe('part one');
  });

  it('completes with the part list as XML and aborts with a DELETE', async () => {
    // Prepare
    const { s3, sent } = recorded([
      xml('<CompleteMultipartUploadResult><ETag>"x-2"</ETag></CompleteMultipartUploadResult>'),
      new Response(null, { status: 204 }),
    ]);
    // Act
    await s3.completeMultipartUpload('bucket', 'k', 'u', [
      { partNumber: 1, etag: '"a"' },
      { partNumber: 2, etag: '"b"' },
    ]);
    await s3.abortMultipartUpload('bucket', 'k', 'u');
    // Assess
    expect(sent[0]!.url).toBe('http://127.0.0.1:4566/bucket/k?uploadId=u');
    expect(sent[0]!.body).toBe(
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>"b"</ETag></Part></CompleteMultipartUpload>',
    );
    expect(sent[1]!.method).toBe('DELETE');
    expect(sent[1]!.url).toBe('http://127.0.0.1:4566/bucket/k?uploadId=u');
  });

  it("throws S3's error code and status, without retrying a client error", async () => {
    // Prepare
    const { s3, sent } = recorded([s3Error('NoSuchUpload', 404)]);
    // Act
    const err = await s3.abortMultipartUpload('bucket', 'k', 'u').catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(S3Error);
    expect(err).toMatchObject({
      name: 'NoSuchUpload',
      message: 'says NoSuchUpload',
      $metadata: { httpStatusCode: 404 },
    });
    expect(isTransient(err)).toBe(false);
    expect(sent).toHaveLength(1);
  });

  it('retries throttling and 5xx, and reads an error sent inside a 200', async () => {
    // Prepare: SlowDown, then a CompleteMultipartUpload that failed after its 200, then success.
    const { s3, sent } = recorded([
      s3Error('SlowDown', 503),
      s3Error('InternalError', 200),
      xml('<CompleteMultipartUploadResult/>'),
    ]);
    // Act
    await s3.completeMultipartUpload('bucket', 'k', 'u', [{ partNumber: 1, etag: '"a"' }]);
    // Assess
    expect(sent).toHaveLength(3);
  });

  it('gives up after three attempts; a dropped connection stays transient for the caller', async () => {
    // Prepare
    const reset = () => new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    const { s3, sent } = recorded([reset(), reset(), reset()]);
    // Act
    const err = await s3.uploadPart('bucket', 'k', 'u', 1, Buffer.from('x')).catch((e) => e);
    // Assess
    expect(sent).toHaveLength(3);
    expect(err).toMatchObject({ message: 'fetch failed', code: 'ECONNRESET' });
    expect(isTransient(err)).toBe(true);
  });

  it('presigns a GET locally: SigV4 query parameters, unsigned payload, no request', async () => {
    // Prepare
    const { s3, sent } = recorded([]);
    const at = new Date('2026-01-02T03:04:05Z');
    // Act
    const url = new URL(await s3.presignGet('bucket', 'exports/a.json', 3600, at));
    // Assess
    expect(sent).toHaveLength(0);
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:4566/bucket/exports/a.json');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
      'X-Amz-Credential': 'AKIDEXAMPLE/20260102/eu-west-1/s3/aws4_request',
      'X-Amz-Date': '20260102T030405Z',
      'X-Amz-Expires': '3600',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("uses S3's virtual-hosted regional endpoint when none is configured", async () => {
    // Prepare
    vi.stubEnv('AWS_ENDPOINT_URL_S3', '');
    vi.stubEnv('AWS_ENDPOINT_URL', '');
    const { s3 } = recorded([], { endpoint: undefined, forcePathStyle: false });
    // Act
    const url = await s3.presignGet('my-bucket', 'a/b.csv', 60).finally(() => vi.unstubAllEnvs());
    // Assess
    expect(url).toMatch(/^https:\/\/my-bucket\.s3\.eu-west-1\.amazonaws\.com\/a\/b\.csv\?X-Amz-/);
  });
});
