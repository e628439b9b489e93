/**
 * Documentation fragments several route definitions share (the same 404 wording for every
 * instance route, the instance response). Schemas and examples come from where they are
 * declared; only wording lives here.
 */
import { instanceSchema } from '../domain/instance-schema.ts';
import { instanceExample } from '../openapi/examples.ts';
import { batchResultSchema } from '../repo/batch.ts';
import type { ResponseDoc } from './define.ts';

/** Typed by inference, not as ResponseDoc: the client reads the schema's type from it. */
export const instanceOk = (description: string) =>
  ({
    description,
    schema: instanceSchema,
    example: instanceExample,
    headers: ['etag'],
  }) as const satisfies ResponseDoc;

export const notModified: ResponseDoc = {
  description: 'Not modified: `If-None-Match` names the current version.',
  headers: ['etag'],
};

export const CHANGE_ERRORS = {
  404: 'No instance with this id (or it was deleted).',
  409: 'Another change to the instance committed concurrently and was not merged; retry. Also: the new name is taken (case-insensitive), or the Idempotency-Key is in use by a request still running.',
  412: '`If-Match` names another version than the current one.',
} as const;

/** Errors of the routes that read an instance's history (deleted instances included). */
export const HISTORY_ERRORS = {
  404: 'The instance never existed.',
} as const;

/** Errors of the routes that name one operation. */
export const OPERATION_ERRORS = {
  404: 'No operation with this id (or it expired).',
} as const;

/** Errors of the batch routes (an atomic batch is all-or-nothing). */
export const BATCH_ERRORS = {
  409: 'Atomic batch rejected: the item named in `details` blocked it (nothing was changed). Also: the Idempotency-Key is in use by a request still running.',
} as const;

/** The answer of a batch call: one result per item (`example` shows the items of this call). */
export const batchResults = (example: unknown) =>
  ({
    description: 'Per-item results.',
    schema: batchResultSchema,
    example,
  }) as const satisfies ResponseDoc;
