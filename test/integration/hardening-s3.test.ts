/**
 * The local S3 checks what S3 checks (issue "Hardening", item 8): exports are served only
 * through presigned URLs whose Signature V4 verifies, the handlers' header-signed SDK calls
 * still work, and anything unsigned, tampered with or expired gets S3's 403 (XML error).
 * Against the S3 endpoint of the shared local stack, found in an export's download URL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { localBucketNames } from '../../infra/local/s3-local.ts';
import { api, createInstance, eventually } from '../support/api.ts';

const bucket = localBucketNames().exports;
let endpoint: string;
let exportKey: string;
let downloadUrl: string;
let exportRecords: number;

const client = (credentials = LOCAL_AWS.credentials) =>
  new S3Client({ region: LOCAL_AWS.region, credentials, endpoint, forcePathStyle: true });

/** S3's XML error: its code and message. */
async function s3Error(res: Response): Promise<{ code: string; message: string }> {
  const text = await res.text();
  expect(res.headers.get('content-type')).toBe('application/xml');
  return {
    code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '',
    message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '',
  };
}

const presign = (key: string, opts: { expiresIn?: number; signingDate?: Date } = {}) =>
  getSignedUrl(client(), new GetObjectCommand({ Bucket: bucket, Key: key }), {
    expiresIn: opts.expiresIn ?? 600,
    ...(opts.signingDate ? { signingDate: opts.signingDate } : {}),
  });

const exists = async (key: string) =>
  client()
    .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    .then(
      () => true,
      (err: { $metadata?: { httpStatusCode?: number } }) => {
        if (err.$metadata?.httpStatusCode === 404) return false;
        throw err;
      },
    );

beforeAll(async () => {
  // An export made by the handlers: multipart upload and presign through the SDK.
  const inst = await createInstance({ cluster_name: 'hardening-s3' });
  const res = await api('POST', '/api/operations', {
    type: 'export',
    format: 'json',
    instance_ids: [inst.id],
  });
  expect(res.status).toBe(202);
  const done = await eventually(
    async () => {
      const op = await api('GET', `/api/operations/${res.body.operation_id}`);
      return op.body?.status === 'succeeded' && op.body;
    },
    90_000,
    200,
  );
  downloadUrl = done.result.download_url;
  exportRecords = done.result.records;
  const url = new URL(downloadUrl);
  endpoint = url.origin;
  expect(url.pathname.startsWith(`/${bucket}/`)).toBe(true);
  exportKey = decodeURIComponent(url.pathname.slice(bucket.length + 2));
}, 120_000);

describe('local S3: presigned export downloads', () => {
  it('serves the export through its presigned URL (export operation → download_url → GET)', async () => {
    const res = await fetch(downloadUrl);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { count: number; records: unknown[] };
    expect(body.count).toBe(exportRecords);
    expect(body.records).toHaveLength(exportRecords);
  });

  it('refuses a tampered signature, another key under the same signature, and a URL without its query string', async () => {
    const url = new URL(downloadUrl);
    const sig = url.searchParams.get('X-Amz-Signature')!;
    url.searchParams.set('X-Amz-Signature', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
    const tampered = await fetch(url);
    expect(tampered.status).toBe(403);
    expect((await s3Error(tampered)).code).toBe('SignatureDoesNotMatch');

    const otherKey = new URL(downloadUrl);
    otherKey.pathname = `${otherKey.pathname}x`;
    const moved = await fetch(otherKey);
    expect(moved.status).toBe(403);
    expect((await s3Error(moved)).code).toBe('SignatureDoesNotMatch');

    const longer = new URL(downloadUrl);
    longer.searchParams.set('X-Amz-Expires', '604800');
    expect((await fetch(longer)).status).toBe(403);

    const bare = await fetch(downloadUrl.split('?')[0]!);
    expect(bare.status).toBe(403);
    expect(await s3Error(bare)).toEqual({ code: 'AccessDenied', message: 'Access Denied' });
    // Positive control: the untouched URL still works.
    expect((await fetch(downloadUrl)).status).toBe(200);
  });

  it('refuses an expired presigned URL', async () => {
    const expired = await presign(exportKey, {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 2 * 60 * 60 * 1000),
    });
    const res = await fetch(expired);
    expect(res.status).toBe(403);
    expect(await s3Error(res)).toEqual({ code: 'AccessDenied', message: 'Request has expired' });
    // Positive control: the same request signed now downloads.
    expect((await fetch(await presign(exportKey))).status).toBe(200);
  });

  it('refuses x-amz-* headers a presigned URL does not cover', async () => {
    const url = await presign(exportKey);
    const res = await fetch(url, { headers: { 'x-amz-request-payer': 'requester' } });
    expect(res.status).toBe(403);
    expect((await s3Error(res)).code).toBe('AccessDenied');
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('local S3: anonymous requests', () => {
  it('cannot list the bucket, write objects or delete exports', async () => {
    const list = await fetch(`${endpoint}/${bucket}`);
    expect(list.status).toBe(403);
    expect((await s3Error(list)).code).toBe('AccessDenied');
    expect((await fetch(`${endpoint}/`)).status).toBe(403);

    const key = `anonymous/${randomUUID()}.txt`;
    const put = await fetch(`${endpoint}/${bucket}/${key}`, { method: 'PUT', body: 'pwned' });
    expect(put.status).toBe(403);
    expect((await s3Error(put)).code).toBe('AccessDenied');

    const del = await fetch(`${endpoint}/${bucket}/${exportKey}`, { method: 'DELETE' });
    expect(del.status).toBe(403);
    expect((await s3Error(del)).code).toBe('AccessDenied');

    const head = await fetch(`${endpoint}/${bucket}/${exportKey}`, { method: 'HEAD' });
    expect(head.status).toBe(403);
    expect(head.headers.get('x-amz-error-code')).toBe('AccessDenied');

    // Nothing happened: the PUT stored nothing, the export is still there (signed checks, which
    // also show that a signed HEAD tells a present object from an absent one).
    expect(await exists(key)).toBe(false);
    expect(await exists(exportKey)).toBe(true);
    expect((await fetch(downloadUrl)).status).toBe(200);
  });
});

describe('local S3: header-signed SDK calls', () => {
  it('accepts the SDK client with the local credentials: PutObject, multipart upload, GetObject', async () => {
    const s3 = client();
    const key = `sdk/${randomUUID()} with space+plus.txt`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'hello' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await got.Body!.transformToString()).toBe('hello');

    const mp = `sdk/${randomUUID()}.bin`;
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: mp }),
    );
    const part = Buffer.alloc(5 * 1024 * 1024 + 1, 7);
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: mp, UploadId, PartNumber: 1, Body: part }),
    );
    const p2 = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: mp, UploadId, PartNumber: 2, Body: 'end' }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: mp,
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    );
    const file = await fetch(await presign(mp));
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBe(part.length + 3);
  }, 60_000);

  it('refuses a wrong secret, an unknown access key, and a body that is not the signed one', async () => {
    const key = `sdk/${randomUUID()}.txt`;
    const put = (s3: S3Client) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'signed body' }));
    await expect(
      put(client({ accessKeyId: LOCAL_AWS.credentials.accessKeyId, secretAccessKey: 'guess' })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    await expect(
      put(client({ accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' })),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });

    // The body is swapped after signing (a replayed signature with other content).
    const swapping = client();
    swapping.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { body: unknown; headers: Record<string, string> };
        req.body = 'other body!';
        return next(args);
      },
      { step: 'finalizeRequest', name: 'swap-body', priority: 'low' },
    );
    await expect(put(swapping)).rejects.toMatchObject({
      name: 'XAmzContentSHA256Mismatch',
      $metadata: { httpStatusCode: 400 },
    });
    expect(await exists(key)).toBe(false);
    // Positive control: the same PUT signed properly is stored.
    await put(client());
    expect(await exists(key)).toBe(true);
  });
});

describe('local S3: other mechanisms and malformed signing parameters', () => {
  it("answers them with S3's 4xx codes, never a 5xx", async () => {
    const object = `${endpoint}/${bucket}/${exportKey}`;
    const presigned = new URL(downloadUrl);
    const cases: [string, Promise<Response>, number, string][] = [
      [
        'presigned without its other parameters',
        fetch(`${object}?X-Amz-Algorithm=AWS4-HMAC-SHA256`),
        400,
        'AuthorizationQueryParametersError',
      ],
      [
        'Signature Version 2 in the query',
        fetch(`${object}?AWSAccessKeyId=local&Expires=9999999999&Signature=abc`),
        400,
        'InvalidRequest',
      ],
      [
        'Signature Version 2 in the header',
        fetch(object, { headers: { authorization: 'AWS local:abc' } }),
        400,
        'InvalidRequest',
      ],
      [
        'two mechanisms at once',
        fetch(presigned, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' } }),
        400,
        'InvalidArgument',
      ],
      ['a query that is not URL encoding', fetch(`${object}?%ZZ=1`), 400, 'InvalidURI'],
      [
        'a presigned URL for another region',
        getSignedUrl(
          new S3Client({
            region: 'eu-west-1',
            credentials: LOCAL_AWS.credentials,
            endpoint,
            forcePathStyle: true,
          }),
          new GetObjectCommand({ Bucket: bucket, Key: exportKey }),
        ).then((url) => fetch(url)),
        400,
        'AuthorizationQueryParametersError',
      ],
    ];
    for (const [what, response, status, code] of cases) {
      const res = await response;
      expect(res.status, what).toBe(status);
      expect((await s3Error(res)).code, what).toBe(code);
    }
  });
});
