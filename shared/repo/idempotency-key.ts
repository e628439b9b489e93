/**
 * How an `Idempotency-Key` becomes a record key and a request a payload hash. Apart from the
 * store (./idempotency.ts) so the HTTP wiring can derive them without importing the store's
 * DynamoDB commands: a handler that passes no store (liveness, a read) then bundles none.
 */
import { createHash } from 'node:crypto';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The idempotency record's key: the client's key within `scope` (caller and route). */
export const idempotencyRecordKey = (scope: string, key: string): string =>
  `IDEMPOTENCY#${sha256(`${scope}\n${key}`)}`;
