import { instancePathSchema } from '../domain/params.ts';
import { deleteResultSchema } from '../openapi/instance-responses.ts';
import { defineRoute } from './define.ts';
import { CHANGE_ERRORS } from './docs.ts';

export const deleteInstance = defineRoute({
  method: 'DELETE',
  path: '/api/instances/{id}',
  handler: 'http/delete-instance',
  scope: 'instances:admin',
  tables: { instances: 'write', meta: 'write' },
  params: instancePathSchema,
  idempotent: true,
  operationId: 'deleteInstance',
  summary: 'Delete an instance',
  description:
    'The name becomes free again; the history stays (and a restore can bring the instance back).',
  tags: ['Instances'],
  headers: ['if-match', 'x-change-reason'],
  responses: {
    200: {
      description: 'Deleted.',
      schema: deleteResultSchema,
      example: { message: 'Instance deleted successfully', id: 42 },
    },
    404: CHANGE_ERRORS[404],
    409: 'The instance changed concurrently, or the Idempotency-Key is in use by a request still running.',
    412: CHANGE_ERRORS[412],
  },
});
