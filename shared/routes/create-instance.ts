import { createInstanceSchema, instanceSchema } from '../domain/instance.ts';
import {
  createInstanceExample,
  instanceExample,
  minimalCreateExample,
} from '../openapi/examples.ts';
import { defineRoute } from './define.ts';

export const createInstance = defineRoute({
  method: 'POST',
  path: '/api/instances',
  handler: 'http/create-instance',
  scope: 'instances:write',
  tables: { instances: 'write', meta: 'write' },
  body: createInstanceSchema,
  idempotent: true,
  operationId: 'createInstance',
  summary: 'Create an instance',
  description:
    'Strings are trimmed; unknown and read-only fields are rejected (422, each named). Answers 201 with `Location` and `ETag`.',
  tags: ['Instances'],
  bodyExamples: {
    full: { summary: 'Most fields', value: createInstanceExample },
    minimal: {
      summary: 'Only the required fields (defaults fill the rest)',
      value: minimalCreateExample,
    },
  },
  headers: ['x-change-reason'],
  responses: {
    201: {
      description: 'Created.',
      schema: instanceSchema,
      example: { ...instanceExample, version: 1, updated_at: instanceExample.created_at },
      headers: ['etag', 'location'],
    },
    409: 'An instance with this name exists (names are unique, case-insensitive), or the Idempotency-Key is in use by a request still running.',
  },
});
