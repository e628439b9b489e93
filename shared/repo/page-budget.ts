/**
 * How much of a Lambda response a list page may fill. API Gateway answers 502 when a Lambda's
 * response passes 6 MB, and the response is the JSON of `{statusCode, headers, body}`: the page
 * travels as the `body` string, escaped a second time (every `"` of the page costs two bytes).
 * A page stops at the budget with a cursor, so a fleet of large items still lists, in shorter
 * pages; the HTTP envelope refuses any other response too large to deliver (413).
 */
import { LAMBDA_RESPONSE_LIMIT } from '../config/lambda.ts';

/** A page's share of the response: the rest is headers, envelope and room to spare. */
export const MAX_PAGE_BYTES = LAMBDA_RESPONSE_LIMIT - 1024 * 1024;

/** Bytes `value` adds to a Lambda response as an element of a JSON array in its body. */
export const responseBytesOf = (value: unknown): number =>
  // JSON.stringify of the JSON text escapes it as the response envelope does; +1 for the comma,
  // -2 for the quotes around it.
  Buffer.byteLength(JSON.stringify(JSON.stringify(value))) - 1;

/** The bytes a page has used so far; the first item always fits (a page is never empty). */
export class PageBudget {
  private used = 0;
  private count = 0;

  constructor(private readonly max = MAX_PAGE_BYTES) {}

  /** Counts `value` if it fits beside what the page holds; false (counting nothing) if not. */
  take(value: unknown): boolean {
    const size = responseBytesOf(value);
    if (this.count > 0 && this.used + size > this.max) return false;
    this.used += size;
    this.count++;
    return true;
  }
}
