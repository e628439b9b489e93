import { openApiDocumentSchema } from '../openapi/meta-schemas.ts';
import { defineRoute } from './define.ts';

/** The API's own OpenAPI document (issue #7), generated from the route definitions. */
export const openApiDocument = defineRoute({
  method: 'GET',
  path: '/api/openapi.json',
  handler: 'http/openapi',
  scope: 'read',
  tables: {},
  operationId: 'openApiDocument',
  summary: 'This OpenAPI 3.1 document',
  description: 'Generated from the zod schemas the handlers validate with.',
  tags: ['Meta'],
  responses: {
    200: {
      description: 'The document.',
      schema: openApiDocumentSchema,
      example: {
        openapi: '3.1.0',
        info: { title: 'Inference Instances API', version: '0.1.0' },
        paths: {},
      },
    },
  },
});
