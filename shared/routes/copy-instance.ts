import { copyInstanceBodySchema } from '../domain/copy.ts';
import { instanceSchema } from '../domain/instance-schema.ts';
import { instancePathSchema } from '../domain/params.ts';
import { instanceExample } from '../openapi/examples.ts';
import { defineRoute } from './define.ts';
import { CHANGE_ERRORS } from './docs.ts';

export const copyInstance = defineRoute({
  method: 'POST',
  path: '/api/instances/{id}/copy',
  handler: 'http/copy-instance',
  scope: 'instances:write',
  tables: { instances: 'write', meta: 'write' },
  params: instancePathSchema,
  body: copyInstanceBodySchema,
  idempotent: true,
  operationId: 'copyInstance',
  summary: 'Copy an instance',
  description:
    "A new instance with the source's configuration (`overrides` applied, validated like a PATCH). Without `name` it gets the first free of `<name>-copy`, `<name>-copy-2`, …: concurrent copies get different names. Its first history record carries `copied_from`. The body may be empty.",
  tags: ['Instances'],
  bodyExamples: {
    default: { summary: 'First free <name>-copy', value: {} },
    named: {
      summary: 'A name and two changes',
      value: { name: 'llama-70b-canary', overrides: { replicas: 1, priority: 'low' } },
    },
  },
  headers: ['x-change-reason'],
  responses: {
    201: {
      description: 'The copy.',
      schema: instanceSchema,
      example: instanceExample,
      headers: ['etag', 'location'],
    },
    404: CHANGE_ERRORS[404],
    409: 'The name is taken, every default copy name is taken, or the Idempotency-Key is in use by a request still running.',
  },
});
