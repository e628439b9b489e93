/** History read side, restore and stats (issue #3). */
import { restorePathSchema } from '../domain/history-params.ts';
import { defineRoute } from './define.ts';
import { CHANGE_ERRORS, instanceOk } from './docs.ts';

export const restoreInstance = defineRoute({
  method: 'POST',
  path: '/api/instances/{id}/restore/{history_id}',
  handler: 'http/restore-instance',
  scope: 'instances:admin',
  tables: { history: 'read', instances: 'write', meta: 'write' },
  params: restorePathSchema,
  idempotent: true,
  operationId: 'restoreInstance',
  summary: 'Restore an instance to a history record',
  description:
    "Sets the instance back to the record's snapshot as a new version (history `restore` with `restored_from`); re-creates a deleted instance under its id. `If-Match` is honoured; a deleted instance has no current version, so any `If-Match` is a 412 there: send `If-None-Match: *` to restore only while it is still deleted (412 if it exists by then). No request body.",
  tags: ['History'],
  headers: ['if-match', 'if-none-match', 'x-change-reason'],
  responses: {
    200: instanceOk('The instance after the restore.'),
    404: 'No such history record for this instance.',
    409: "The snapshot's name is taken by another instance, the instance changed concurrently, or the Idempotency-Key is in use by a request still running.",
    412: CHANGE_ERRORS[412],
    422: 'The snapshot is not a valid instance under the current rules (each field named), or the Idempotency-Key was used with another request.',
  },
});
