/** Response builders and conditional-request helpers shared by the HTTP handlers. */
import { json, type HttpResponse } from './middleware.ts';
import type { Instance } from '../domain/instance.ts';

export const ok = (body: unknown, headers: Record<string, string> = {}): HttpResponse =>
  json(200, body, headers);

export const etagOf = (version: number) => `"${version}"`;

/** The instance with its `ETag`. */
export const instanceResponse = (
  instance: Instance,
  status = 200,
  headers: Record<string, string> = {},
) => json(status, instance, { etag: etagOf(instance.version), ...headers });

export const notModified = (version: number): HttpResponse => ({
  statusCode: 304,
  headers: { etag: etagOf(version) },
  body: '',
});

/**
 * Parses `If-Match` into the version it demands. `*` (any current version) and an absent
 * header return undefined; an unparseable tag can never match, so it demands version -1.
 */
export function expectedVersion(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (tags.includes('*')) return undefined;
  for (const tag of tags) {
    const m = /^(?:W\/)?"?(\d{1,15})"?$/.exec(tag);
    if (m?.[1]) return Number(m[1]);
  }
  return -1;
}

/** True when `If-None-Match` names the current version (or is `*`). */
export function noneMatchHits(ifNoneMatch: string | undefined, version: number): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etagOf(version) || t === String(version));
}

/**
 * A download (`Content-Disposition: attachment`). A Buffer body is sent base64-encoded with
 * `isBase64Encoded`, which API Gateway decodes back to bytes; a string body is sent as text.
 */
export function file(
  body: string | Buffer,
  contentType: string,
  filename: string,
  headers: Record<string, string> = {},
): HttpResponse {
  const safeName = filename.replace(/[^\w.-]/g, '_');
  const base = {
    statusCode: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': `attachment; filename="${safeName}"`,
      'cache-control': 'no-store',
      ...headers,
    },
  };
  return typeof body === 'string'
    ? { ...base, body }
    : { ...base, body: body.toString('base64'), isBase64Encoded: true };
}
