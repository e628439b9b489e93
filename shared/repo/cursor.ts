/**
 * Opaque page cursors: base64url JSON. What comes back is trusted only once a schema accepts
 * it, so every list (instances, history, operations) checks its cursors the same way and
 * refuses anything else with the same 400.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { badRequest, type AppError } from '../domain/errors.ts';

/** The 400 for a cursor that was not issued for the query it came back with. */
export const invalidCursor = (): AppError =>
  badRequest('Invalid cursor', { cursor: 'not a cursor issued for this query' });

/** Field schemas the cursors share. */
export const cursorFields = {
  /** Format version of every cursor. */
  v: z.literal(1),
  /** A non-negative safe integer: a version or a history id. */
  id: z.int().check(z.gte(0)),
};

/** A hash of the query a cursor is issued for, so that any other query refuses it. */
export function queryHash(shape: unknown): string {
  return createHash('sha256').update(JSON.stringify(shape)).digest('base64url').slice(0, 16);
}

/** The cursor for `value`; typed by the schema that will read it back. */
export function encodeCursor<S extends z.ZodMiniType>(_schema: S, value: z.input<S>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The value `raw` encodes, if `schema` accepts it; otherwise `invalid()` is thrown (a list can
 * bring its own error, e.g. one that names that list).
 */
export function decodeCursor<S extends z.ZodMiniType>(
  schema: S,
  raw: string,
  invalid: () => Error = invalidCursor,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalid();
  return parsed.data;
}
