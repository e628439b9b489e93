/** Request schemas of the routes that read or cancel an operation (re-exported by ./schemas.ts). */
import * as z from 'zod/mini';
import { intParam } from '../domain/params.ts';
import { badRequest } from '../domain/errors.ts';
import { OPERATION_ID } from '../domain/ids.ts';
import { OPERATION_STATUSES, OPERATION_TYPES } from './view.ts';

/** `{operation_id}`: the ids this service issues (UUIDs); anything else cannot exist. */
export const operationPathSchema = z.strictObject({
  operation_id: z
    .string()
    .check(z.regex(new RegExp(`^${OPERATION_ID}$`), 'must be an operation id')),
});

export const listOperationsQuerySchema = z.strictObject({
  limit: z._default(intParam(1, 100), 20),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
  status: z.optional(z.enum(OPERATION_STATUSES)),
  type: z.optional(z.enum(OPERATION_TYPES)),
});
export type ListOperationsQuery = z.output<typeof listOperationsQuerySchema>;

export const invalidOperationCursor = () =>
  badRequest('Invalid cursor', { cursor: 'not a cursor issued by this list' });
