/**
 * Builds the OpenAPI 3.1 document from the route definitions (shared/routes/) and the zod
 * schemas they point to. Used by `npm run openapi` (which writes docs/openapi.json, the file the
 * openapi route's Lambda serves), the local /docs page and tests; no Lambda bundles it.
 */
import type * as z from 'zod/mini';
import { routes } from '../routes/index.ts';
import {
  TAGS,
  type RequestHeader,
  type ResponseDoc,
  type RouteDefinition,
  type Scope,
} from '../routes/define.ts';
import { SCOPES } from '../config/auth.ts';
import { MAX_BODY_BYTES } from '../config/body.ts';
import { MAX_REASON_CHARS } from '../domain/change-reason.ts';
import { createInstanceSchema, instanceSchema, updateInstanceSchema } from '../domain/instance.ts';
import { batchCompareBodySchema } from '../domain/history-batch-compare.ts';
import { copyInstanceBodySchema } from '../domain/copy.ts';
import { batchDeleteSchema } from '../repo/batch.ts';
import { batchUpdateSchema } from '../repo/batch-update.ts';
import { pingSchema, subscribeSchema, unsubscribeSchema } from '../ws/protocol.ts';
import { createOperationSchema } from '../ops/schemas.ts';
import {
  batchResultSchema,
  deleteResultSchema,
  errorSchema,
  gatewayErrorSchema,
  healthSchema,
  livenessSchema,
  historyBatchComparisonSchema,
  historyComparisonSchema,
  historyExportSchema,
  historyPageSchema,
  historyRecordSchema,
  historySearchPageSchema,
  historyStatsSchema,
  instanceEventSchema,
  instanceListSchema,
  instanceStatsSchema,
  openApiDocumentSchema,
  operationListSchema,
  operationProgressSchema,
  operationSchema,
  snapshotSchema,
  wsControlMessageSchema,
} from './schemas.ts';
import { errorExamples } from './examples.ts';
import {
  componentSchemas,
  inlineSchema,
  parameterSchemas,
  type JsonSchema,
} from './json-schema.ts';

type Schema = z.ZodMiniType;
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> } & Record<string, unknown>;
};
export type Operation = Record<string, unknown> & {
  operationId: string;
  responses: Record<string, Record<string, unknown>>;
};

export const API_VERSION = '1.0.0';

/** Request-side schemas, converted on their input side. */
const INPUT_COMPONENTS = new Map<Schema, string>([
  [createInstanceSchema, 'CreateInstance'],
  [updateInstanceSchema, 'UpdateInstance'],
  [copyInstanceBodySchema, 'CopyInstance'],
  [batchDeleteSchema, 'BatchDeleteRequest'],
  [batchUpdateSchema, 'BatchUpdateRequest'],
  [batchCompareBodySchema, 'BatchCompareRequest'],
  [createOperationSchema, 'CreateOperation'],
  [subscribeSchema, 'WsSubscribe'],
  [unsubscribeSchema, 'WsUnsubscribe'],
  [pingSchema, 'WsPing'],
]);

/** Response-side schemas, converted on their output side. */
const OUTPUT_COMPONENTS = new Map<Schema, string>([
  [instanceSchema, 'Instance'],
  [snapshotSchema, 'InstanceSnapshot'],
  [instanceListSchema, 'InstanceList'],
  [deleteResultSchema, 'DeleteResult'],
  [healthSchema, 'Health'],
  [livenessSchema, 'Liveness'],
  [instanceStatsSchema, 'InstanceStats'],
  [batchResultSchema, 'BatchResult'],
  [historyRecordSchema, 'HistoryRecord'],
  [historyPageSchema, 'HistoryPage'],
  [historySearchPageSchema, 'HistorySearchPage'],
  [historyComparisonSchema, 'HistoryComparison'],
  [historyBatchComparisonSchema, 'HistoryBatchComparison'],
  [historyStatsSchema, 'HistoryStats'],
  [historyExportSchema, 'HistoryExport'],
  [operationSchema, 'Operation'],
  [operationListSchema, 'OperationList'],
  [openApiDocumentSchema, 'OpenApiDocumentSummary'],
  [errorSchema, 'Error'],
  [gatewayErrorSchema, 'GatewayError'],
  [instanceEventSchema, 'WsInstanceEvent'],
  [wsControlMessageSchema, 'WsControlMessage'],
  [operationProgressSchema, 'WsOperationProgress'],
]);

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * A named component's `$ref`, or the schema inline: a route with a body or response shape of
 * its own needs no entry here (name it above once a second route shares it).
 */
function refTo(
  schema: Schema,
  named: ReadonlyMap<Schema, string>,
  io: 'input' | 'output',
): JsonSchema {
  const name = named.get(schema);
  return name ? ref(name) : inlineSchema(schema, io);
}

// ---------------------------------------------------------------------------------------------
// Headers and parameters shared by operations

const HEADER_PARAMS: Record<
  RequestHeader | 'idempotency-key' | 'x-request-id',
  [string, JsonSchema]
> = {
  'if-match': [
    'IfMatch',
    {
      name: 'If-Match',
      in: 'header',
      required: false,
      description:
        'Only change the instance if its current ETag (quoted version, e.g. `"3"`) is listed; else 412. `*` matches any version (a deleted instance has none: 412); a list (`"3", "4"`) matches any of them. Strong comparison (RFC 9110 §13.1.1): a weak tag (`W/"3"`) never matches. A malformed value (not `*` or quoted tags) is a 400.',
      schema: { type: 'string' },
      example: '"3"',
    },
  ],
  'if-none-match': [
    'IfNoneMatch',
    {
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description:
        'On a read: answer 304 without a body when the current ETag is listed. On a restore: only `*`, which restores the instance only while it is deleted (412 if it exists).',
      schema: { type: 'string' },
      example: '"3"',
    },
  ],
  'idempotency-key': [
    'IdempotencyKey',
    {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'A retry with the same key and the same request within 24 h returns the first response (with `Idempotent-Replayed: true`) and changes nothing; the same key with another request → 422; while the first is still running → 409.',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
      example: '6f1c9b8e-2a4d-4e0b-9a51-7c2f3d8e1a90',
    },
  ],
  'x-change-reason': [
    'XChangeReason',
    {
      name: 'X-Change-Reason',
      in: 'header',
      required: false,
      description: `Why the change is made, kept on its history record (\`reason\`), searchable and shown in WebSocket messages and exports: printable text, at most ${MAX_REASON_CHARS} characters; text beyond ASCII percent-encoded as UTF-8 (\`encodeURIComponent\`), a literal \`%\` as \`%25\`. On an operation, every change it makes carries it.`,
      schema: { type: 'string' },
      example: 'Roll back: p99 latency regression in v0.6.4',
    },
  ],
  'x-request-id': [
    'XRequestId',
    {
      name: 'X-Request-Id',
      in: 'header',
      required: false,
      description:
        'Echoed in the response (and in error bodies as `request_id`) when it is 1–128 characters of `[A-Za-z0-9_.:/=+-]` starting alphanumeric; otherwise the gateway’s id is used.',
      schema: { type: 'string', pattern: '^[A-Za-z0-9][\\w.:/=+-]{0,127}$' },
    },
  ],
};

/** Response headers: wire name, component name and definition. */
const RESPONSE_HEADERS: Record<string, { wire: string; component: string; def: JsonSchema }> = {
  'x-request-id': {
    wire: 'X-Request-Id',
    component: 'XRequestId',
    def: {
      description: "The request id (the caller's, if it sent a valid one).",
      schema: { type: 'string' },
    },
  },
  etag: {
    wire: 'ETag',
    component: 'ETag',
    def: { description: 'The instance version, quoted: `"3"`.', schema: { type: 'string' } },
  },
  location: {
    wire: 'Location',
    component: 'Location',
    def: { description: 'Path of the created instance.', schema: { type: 'string' } },
  },
  'retry-after': {
    wire: 'Retry-After',
    component: 'RetryAfter',
    def: {
      description: 'Seconds to wait before retrying.',
      schema: { type: 'integer', minimum: 0 },
    },
  },
  'idempotent-replayed': {
    wire: 'Idempotent-Replayed',
    component: 'IdempotentReplayed',
    def: {
      description:
        '`true` when this is the stored response of an earlier request with the same Idempotency-Key.',
      schema: { type: 'string', enum: ['true'] },
    },
  },
  'content-disposition': {
    wire: 'Content-Disposition',
    component: 'ContentDisposition',
    def: {
      description: '`attachment; filename="instance-42-history-2026-10-01.csv"`',
      schema: { type: 'string' },
    },
  },
};

const headerRefs = (names: readonly string[]) =>
  Object.fromEntries(
    names.map((n) => {
      const h = RESPONSE_HEADERS[n]!;
      return [h.wire, { $ref: `#/components/headers/${h.component}` }];
    }),
  );

// ---------------------------------------------------------------------------------------------
// Errors

/** Statuses API Gateway itself may answer with `{"message": …}` before a handler runs. */
const GATEWAY_STATUSES = new Set([401, 413, 429, 500]);

/** Error statuses that follow from a route's shape, with why. */
function derivedErrors(route: RouteDefinition): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const add = (status: number, why: string) => out.set(status, [...(out.get(status) ?? []), why]);
  if (!route.public) add(401, 'Missing or invalid bearer token.');
  if (route.scope !== 'read') add(403, `The token lacks the \`${route.scope}\` scope.`);
  if (route.params) add(400, 'A path parameter is not a valid id.');
  if (route.query)
    add(400, 'A query parameter or the cursor is invalid (each named in `details`).');
  if (route.body) {
    add(400, 'Malformed JSON body.');
    add(413, `Body larger than ${(route.maxBodyBytes ?? MAX_BODY_BYTES) / 1024} KiB.`);
    add(415, 'Content-Type is not application/json.');
    add(
      422,
      'The body failed validation: each bad, unknown or read-only field is named in `details`.',
    );
  }
  if (route.headers?.includes('x-change-reason'))
    add(400, `X-Change-Reason is not printable text of at most ${MAX_REASON_CHARS} characters.`);
  if (route.idempotent) {
    add(400, 'Idempotency-Key is not 1–255 printable ASCII characters.');
    add(409, 'A request with this Idempotency-Key is still running.');
    add(422, 'The Idempotency-Key was already used with a different request.');
  }
  add(429, 'Throttled; retry after `Retry-After` seconds.');
  add(500, 'Unexpected error (no internals in the body).');
  return out;
}

function errorResponse(status: number, description: string): Record<string, unknown> {
  const schema = GATEWAY_STATUSES.has(status)
    ? { anyOf: [ref('Error'), ref('GatewayError')] }
    : ref('Error');
  const headers = ['x-request-id', ...(status === 429 || status === 503 ? ['retry-after'] : [])];
  return {
    description,
    headers: headerRefs(headers),
    content: {
      'application/json': {
        schema,
        examples: {
          [errorExamples[status]?.error.type ?? 'error']: {
            $ref: `#/components/examples/Error${status}`,
          },
        },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Operations

function successResponse(res: ResponseDoc, idempotent: boolean): Record<string, unknown> {
  const headers = [
    'x-request-id',
    ...(res.headers ?? []),
    ...(idempotent ? ['idempotent-replayed'] : []),
  ];
  const content: Record<string, unknown> = {};
  if (res.schema) {
    content['application/json'] = {
      schema: refTo(res.schema, OUTPUT_COMPONENTS, 'output'),
      ...(res.example !== undefined ? { example: res.example } : {}),
    };
  }
  for (const [type, schema] of Object.entries(res.media ?? {})) content[type] = { schema };
  return {
    description: res.description,
    headers: headerRefs(headers),
    ...(Object.keys(content).length ? { content } : {}),
  };
}

function parametersOf(doc: RouteDefinition): unknown[] {
  const params: unknown[] = [];
  if (doc.params) {
    for (const p of parameterSchemas(doc.params)) {
      params.push({ name: p.name, in: 'path', required: true, schema: p.schema });
    }
  }
  if (doc.query) {
    for (const p of parameterSchemas(doc.query)) {
      const isArray = p.schema.type === 'array';
      const example = doc.queryExamples?.[p.name];
      params.push({
        name: p.name,
        in: 'query',
        required: p.required,
        ...(isArray
          ? {
              style: 'form',
              explode: false,
              description:
                'One or more values: comma-separated (`status=active,pending`), the key repeated (`status=active&status=pending`) or with brackets as axios sends arrays (`status[]=active&status[]=pending`).',
            }
          : {}),
        schema: p.schema,
        ...(example !== undefined ? { example } : {}),
      });
    }
  }
  const headers = [
    ...(doc.headers ?? []),
    ...(doc.idempotent ? (['idempotency-key'] as const) : []),
    'x-request-id' as const,
  ];
  for (const h of headers) {
    params.push({ $ref: `#/components/parameters/${HEADER_PARAMS[h][0]}` });
  }
  return params;
}

const SCOPE_TEXT: Record<Scope, string> = {
  read: 'Any valid token.',
  'instances:write': `Scope \`${SCOPES.write}\` (or \`${SCOPES.admin}\`).`,
  'instances:admin': `Scope \`${SCOPES.admin}\`.`,
};

function operationOf(route: RouteDefinition): Operation {
  const doc = route;
  const idempotent = route.idempotent === true;
  const responses: Record<string, Record<string, unknown>> = {};
  const derived = derivedErrors(route);
  const statuses = new Set([...Object.keys(doc.responses).map(Number), ...derived.keys()]);
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const given = doc.responses[status];
    if (given !== undefined && typeof given !== 'string') {
      responses[status] = successResponse(given, idempotent);
    } else {
      const description = given ?? derived.get(status)!.join(' Or: ');
      responses[status] = errorResponse(status, description);
    }
  }
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    description: [
      doc.description,
      `**Authorization:** ${route.public ? 'None (no token).' : SCOPE_TEXT[route.scope]}`,
    ]
      .filter(Boolean)
      .join('\n\n'),
    tags: doc.tags,
    security: route.public ? [] : [{ bearerAuth: route.scope === 'read' ? [] : [route.scope] }],
    parameters: parametersOf(doc),
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: refTo(doc.body, INPUT_COMPONENTS, 'input'),
                ...(doc.bodyExamples ? { examples: doc.bodyExamples } : {}),
              },
            },
          },
        }
      : {}),
    responses,
    'x-required-scope': route.scope,
  };
}

const DESCRIPTION = `Manage inference instances (deployed ML model servers), their audit history and live updates.

**Errors** always have the shape \`{"error":{"type","message","details","request_id"},"message"}\` (the top-level \`message\` repeats \`error.message\`). Requests to an unknown path get 404 and a known path with another method 405 (with \`Allow\`), in the same shape; a literal path segment names its resource whatever the method, so \`GET /api/instances/batch-delete\` is a 405, not instance "batch-delete". API Gateway itself may answer 401 / 413 / 429 / 500 with \`{"message": …}\` before a handler runs, so \`message\` is in every error body.

**HEAD** is answered wherever GET is: the same status and headers, no body.

**Auth:** a bearer JWT. Reads need any valid token, writes \`${SCOPES.write}\`, delete / restore / batch calls \`${SCOPES.admin}\`. The local stack runs without auth unless started with \`--auth\`.

**Retries:** GET, PUT and DELETE are safe to retry; POST and PATCH are when they carry an \`Idempotency-Key\`. Honour \`Retry-After\` on 429 and 503.

**Conditional requests:** \`ETag\` is the quoted instance version; send it back as \`If-Match\` (412 when it moved on) or \`If-None-Match\` (304). \`If-Match\` compares strongly (RFC 9110 §13.1.1): \`*\` or a list of strong tags (\`"1", "2"\`); a weak tag (\`W/"2"\`) never matches (412); a malformed value is a 400. \`If-None-Match\` compares weakly.

**Paging:** follow \`next_cursor\` until it is null. The instance and history lists also take \`page\` (1-based, with \`limit\`) for clients built on page numbers.

**WebSocket** (\`wss://…\`, local \`ws://localhost:8000/ws\`, \`?token=\` when auth is on): send \`WsSubscribe\` / \`WsUnsubscribe\` / \`WsPing\`; receive \`WsInstanceEvent\`, \`WsOperationProgress\` and \`WsControlMessage\` (schemas below). Resume with \`since_history_id\` and dedupe by \`history_id\`.`;

export interface BuildOptions {
  /** Servers listed in the document; default: the serving host and the local stack. */
  servers?: { url: string; description: string }[];
}

export function buildOpenApiDocument(opts: BuildOptions = {}): OpenApiDocument {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of routes) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Inference Instances API',
      version: API_VERSION,
      description: DESCRIPTION,
    },
    servers: opts.servers ?? [
      { url: '/', description: 'The host serving this document' },
      { url: 'http://localhost:8000', description: 'Local stack (npm start)' },
    ],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: {
        ...componentSchemas(INPUT_COMPONENTS, 'input'),
        ...componentSchemas(OUTPUT_COMPONENTS, 'output'),
      },
      parameters: Object.fromEntries(Object.values(HEADER_PARAMS)),
      examples: Object.fromEntries(
        Object.entries(errorExamples).map(([status, value]) => [
          `Error${status}`,
          { summary: `${status} ${value.error.type}`, value },
        ]),
      ),
      headers: Object.fromEntries(Object.values(RESPONSE_HEADERS).map((h) => [h.component, h.def])),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `JWT from the configured issuer (Cognito or the local issuer: \`npm run token\`). Scopes (\`scope\` claim or \`cognito:groups\`): \`${SCOPES.read}\`, \`${SCOPES.write}\`, \`${SCOPES.admin}\`; admin implies write.`,
        },
      },
    },
  };
}
