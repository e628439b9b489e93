/**
 * `X-Change-Reason`: why a write was made, in the caller's words, kept on its history record.
 * HTTP header values are Latin-1 on the wire, so text beyond ASCII comes percent-encoded as
 * UTF-8 (what `encodeURIComponent` gives); a literal `%` is `%25`.
 */
import { badRequest } from './errors.ts';

export const CHANGE_REASON_HEADER = 'x-change-reason';
export const MAX_REASON_CHARS = 500;

/** Control characters (C0, DEL, C1) and lone surrogates: nothing a person means to write. */
const UNPRINTABLE = /[\p{Cc}]|\p{Cs}/u;

/**
 * A header value arrives as Latin-1: UTF-8 bytes sent as they are (`café` from curl) would read
 * as `cafÃ©`, and nothing tells that from Latin-1 meant as such. So only ASCII is taken.
 */
const NOT_ASCII = /[^\x20-\x7e\t]/;

/** The reason, trimmed; undefined when absent or blank. Throws 400 for a bad one. */
export function parseChangeReason(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (NOT_ASCII.test(raw)) throw invalid('must be ASCII: percent-encode other text as UTF-8');
  let text: string;
  try {
    text = raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    throw invalid('is not valid percent-encoded UTF-8 (write a literal % as %25)');
  }
  text = text.normalize('NFC').trim();
  if (text === '') return undefined;
  if (UNPRINTABLE.test(text)) throw invalid('must be printable text (no control characters)');
  if ([...text].length > MAX_REASON_CHARS)
    throw invalid(`must be at most ${MAX_REASON_CHARS} characters`);
  return text;
}

const invalid = (rule: string) =>
  badRequest(`X-Change-Reason ${rule}`, { 'X-Change-Reason': rule });
