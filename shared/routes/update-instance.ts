/** PUT and PATCH of an instance: one handler, the same partial update (SPEC §4). */
import { updateInstanceSchema } from '../domain/instance.ts';
import { instancePathSchema } from '../domain/params.ts';
import { clearFieldExample, updateInstanceExample } from '../openapi/examples.ts';
import { defineRoute } from './define.ts';
import { CHANGE_ERRORS, instanceOk } from './docs.ts';

const update = {
  path: '/api/instances/{id}',
  handler: 'http/update-instance',
  scope: 'instances:write',
  tables: { instances: 'write', meta: 'write' },
  params: instancePathSchema,
  body: updateInstanceSchema,
  idempotent: true,
  description:
    'Only the fields sent change; `null` clears an optional text field. A request that changes nothing answers 200 and creates no version and no history. `If-Match` is honoured.',
  tags: ['Instances'],
  bodyExamples: {
    scale: { summary: 'Scale out and set an env var', value: updateInstanceExample },
    clear: { summary: 'Clear an optional field', value: clearFieldExample },
  },
  headers: ['if-match', 'x-change-reason'],
  responses: { 200: instanceOk('The instance after the change.'), ...CHANGE_ERRORS },
} as const;

export const putInstance = defineRoute({
  ...update,
  method: 'PUT',
  operationId: 'putInstance',
  summary: 'Update an instance (partial, like PATCH)',
});

export const patchInstance = defineRoute({
  ...update,
  method: 'PATCH',
  operationId: 'patchInstance',
  summary: 'Update an instance (partial)',
});
