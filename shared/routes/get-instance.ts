import { instancePathSchema } from '../domain/params.ts';
import { defineRoute } from './define.ts';
import { CHANGE_ERRORS, instanceOk, notModified } from './docs.ts';

export const getInstance = defineRoute({
  method: 'GET',
  path: '/api/instances/{id}',
  handler: 'http/get-instance',
  scope: 'read',
  tables: { instances: 'read' },
  params: instancePathSchema,
  operationId: 'getInstance',
  summary: 'Get an instance',
  description: '`ETag` is the quoted version; `If-None-Match` with the current ETag answers 304.',
  tags: ['Instances'],
  headers: ['if-none-match'],
  responses: {
    200: instanceOk('The instance.'),
    304: notModified,
    404: CHANGE_ERRORS[404],
  },
});
