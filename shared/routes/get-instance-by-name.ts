import { instanceNamePathSchema } from '../domain/params.ts';
import { defineRoute } from './define.ts';
import { instanceOk, notModified } from './docs.ts';

export const getInstanceByName = defineRoute({
  method: 'GET',
  path: '/api/instances/by-name/{name}',
  handler: 'http/get-instance-by-name',
  scope: 'read',
  tables: { instances: 'read', meta: 'read' },
  params: instanceNamePathSchema,
  operationId: 'getInstanceByName',
  summary: 'Get an instance by its name',
  description:
    'Names compare as uniqueness compares them (case-insensitive, NFKC): `/by-name/LLAMA-70B` finds `llama-70b`. Percent-encode the name in the path. `ETag` and `If-None-Match` as for `GET /api/instances/{id}`.',
  tags: ['Instances'],
  headers: ['if-none-match'],
  responses: {
    200: instanceOk('The instance.'),
    304: notModified,
    404: 'No instance has this name (or it was deleted).',
  },
});
