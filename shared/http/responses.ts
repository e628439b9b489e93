/** Response builders and conditional-request helpers shared by the HTTP handlers. */
import { json, type HttpResponse } from './middleware.ts';
import type { Instance } from '../domain/instance.ts';
import { badRequest, preconditionFailed } from '../domain/errors.ts';

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

/** One entity tag of a list: `"3"` (strong) or `W/"3"` (weak). */
export interface EntityTag {
  weak: boolean;
  opaque: string;
}

// RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text;
// a list element may be empty (§5.6.1), so `"1", , "2"` is well-formed.
const LIST_ELEMENT = /[ \t]*(?:(W\/)?"([\x21\x23-\x7e\x80-\xff]*)")?[ \t]*(,|$)/y;

/** `*`, or the entity tags of an `If-Match` / `If-None-Match` value; undefined if malformed. */
export function parseEntityTags(value: string): '*' | EntityTag[] | undefined {
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  for (let i = 0; i < value.length;) {
    LIST_ELEMENT.lastIndex = i;
    const m = LIST_ELEMENT.exec(value);
    if (!m) return undefined;
    if (m[2] !== undefined) tags.push({ weak: m[1] !== undefined, opaque: m[2] });
    if (m[3] === '') break;
    i = LIST_ELEMENT.lastIndex;
  }
  return tags.length > 0 ? tags : undefined;
}

const VERSION_TAG = /^\d{1,15}$/;

/**
 * The version a conditional write must find, from `If-Match` (RFC 9110 §13.1.1); undefined
 * without the header or with `*`. A malformed value is a 400. Comparison is strong: a weak tag
 * (`W/"2"`) never matches, so a value without a strong tag naming a version is a 412 at once.
 * With several versions listed, `current` reads the instance and the listed one it is at is
 * demanded (none listed: the first, whose version check then fails with 412). The write stays
 * conditional on that version, so a change between the read and the write is still a 412.
 */
export async function expectedVersion(
  ifMatch: string | undefined,
  current: () => Promise<{ id: number; version: number } | undefined>,
): Promise<number | undefined> {
  if (ifMatch === undefined) return undefined;
  const tags = parseEntityTags(ifMatch);
  if (tags === undefined) {
    throw badRequest('Malformed If-Match', {
      'if-match': 'must be * or a list of quoted entity tags, e.g. "3" (the ETag of a read)',
    });
  }
  if (tags === '*') return undefined;
  const versions = [
    ...new Set(tags.filter((t) => !t.weak && VERSION_TAG.test(t.opaque)).map((t) => +t.opaque)),
  ];
  if (versions.length === 1) return versions[0];
  const now = await current();
  if (versions.length === 0) {
    throw preconditionFailed('If-Match does not match the current version', {
      ...(now ? { id: now.id, current_version: now.version } : {}),
      'if-match': tags.some((t) => t.weak)
        ? 'weak entity tags never match If-Match (strong comparison, RFC 9110 §13.1.1)'
        : 'names no version',
    });
  }
  return now && versions.includes(now.version) ? now.version : versions[0];
}

/**
 * What a restore demands of the instance's state beyond a version: `If-Match: *` that it exists,
 * `If-None-Match: *` that it is deleted (the only If-None-Match a restore takes: a 400 otherwise).
 */
export function restoreState(
  ifMatch: string | undefined,
  ifNoneMatch: string | undefined,
): 'exists' | 'deleted' | undefined {
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') {
      throw badRequest('If-None-Match on a restore takes only *', {
        'if-none-match': 'send * to restore the instance only while it is deleted',
      });
    }
    return 'deleted';
  }
  return ifMatch?.trim() === '*' ? 'exists' : undefined;
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
