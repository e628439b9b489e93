/**
 * Example values for the OpenAPI document. test/unit/openapi.test.ts validates every one of them
 * against the JSON Schema it illustrates and against the zod schema it was generated from.
 */
import type * as z from 'zod/mini';
import type { createInstanceSchema, Instance, updateInstanceSchema } from '../domain/instance.ts';
import type { HistoryRecord } from '../domain/history.ts';
import type { Difference } from '../domain/diff.ts';
import type { operationSchema } from './schemas.ts';

/** Request examples are what a caller sends: the schemas' input side. */
type CreateInstanceBody = z.input<typeof createInstanceSchema>;
type UpdateInstanceBody = z.input<typeof updateInstanceSchema>;

/*
 * Route definitions show these examples, and a route's definition is bundled into its Lambda.
 * The helpers that build them are marked free of side effects (a call or a spread at module
 * scope otherwise is, to the bundler), so each Lambda keeps only the examples its route shows.
 */

// @__NO_SIDE_EFFECTS__
function at(minute: number): string {
  return new Date(Date.UTC(2026, 9, 1, 9, minute, 12, 345)).toISOString();
}

/** `base` with `changes` over it. */
// @__NO_SIDE_EFFECTS__
function merged<B extends object, C extends object>(base: B, changes: C): Omit<B, keyof C> & C {
  return { ...base, ...changes };
}

// Named, not read as `instanceExample.envs`: a property read is a possible side effect too.
const envsExample = { VLLM_ATTENTION_BACKEND: 'FLASH_ATTN', HF_HUB_OFFLINE: '1' } as const;

export const instanceExample = {
  id: 42,
  name: 'llama31-70b-chat-prod',
  model_name: 'meta-llama/Llama-3.1-70B-Instruct',
  model_version: '2024-07-23',
  cluster_name: 'h100-us-east-1a',
  image_tag: 'vllm/vllm-openai:v0.6.3',
  replicas: 4,
  pp: 1,
  cp: 8,
  tp: 8,
  workers: 2,
  task_concurrency: 32,
  pipeline_mode: false,
  cuda_graph: true,
  quantization: 'fp8',
  status: 'active',
  priority: 'high',
  description: 'Production chat completions for the assistant frontend',
  envs: envsExample,
  version: 3,
  created_at: at(0),
  updated_at: at(27),
  created_by: 'alice',
  updated_by: 'bob',
} as const satisfies Instance;

export const createInstanceExample = {
  name: 'llama31-70b-chat-prod',
  model_name: 'meta-llama/Llama-3.1-70B-Instruct',
  model_version: '2024-07-23',
  cluster_name: 'h100-us-east-1a',
  image_tag: 'vllm/vllm-openai:v0.6.3',
  replicas: 2,
  tp: 8,
  task_concurrency: 32,
  cuda_graph: true,
  quantization: 'fp8',
  priority: 'high',
  description: 'Production chat completions for the assistant frontend',
  envs: { VLLM_ATTENTION_BACKEND: 'FLASH_ATTN' },
} satisfies CreateInstanceBody;

export const minimalCreateExample = {
  name: 'whisper-v3-batch',
  model_name: 'openai/whisper-large-v3',
  cluster_name: 'a10g-eu-west-1b',
  image_tag: 'ghcr.io/acme/whisper-server:1.4.0',
} satisfies CreateInstanceBody;

export const updateInstanceExample = {
  replicas: 4,
  envs: { HF_HUB_OFFLINE: '1' },
} satisfies UpdateInstanceBody;
export const clearFieldExample = {
  quantization: null,
  status: 'inactive',
} satisfies UpdateInstanceBody;

const snapshotV2 = merged(instanceExample, { version: 2, replicas: 2, updated_at: at(11) });

export const historyRecordExample = {
  history_id: 1187,
  instance_id: 42,
  original_id: 42,
  version: 3,
  operation_type: 'update',
  operation_timestamp: at(27),
  actor: 'bob',
  changed_fields: ['replicas'],
  changes: { replicas: { old: 2, new: 4 } },
  snapshot: instanceExample,
  batch_id: '5f0c2a7e-3d1b-4a8e-9c55-0d7a61b3e2f4',
} satisfies HistoryRecord;

export const historyRecordV2Example = merged(historyRecordExample, {
  history_id: 1150,
  version: 2,
  operation_timestamp: at(11),
  changed_fields: ['envs', 'replicas'],
  changes: {
    envs: { old: { VLLM_ATTENTION_BACKEND: 'FLASH_ATTN' }, new: envsExample },
    replicas: { old: 1, new: 2 },
  },
  snapshot: snapshotV2,
  batch_id: 'a3d94c1e-77b0-4f0e-8d2a-51e6c0f9b8a1',
}) satisfies HistoryRecord;

export const differencesExample = [
  { field: 'replicas', value1: 2, value2: 4, type: 'modified' },
  { field: 'envs.HF_HUB_OFFLINE', value1: null, value2: '1', type: 'added' },
] satisfies Difference[];

export const operationExample = {
  operation_id: '3f6c1a2e-8b4d-4c1e-9f7a-2d5e6b8c9a01',
  type: 'bulk-update',
  status: 'running',
  progress: 40,
  total: 250,
  processed: 100,
  succeeded: 99,
  failed: 1,
  errors: [{ id: 77, error: { type: 'NotFound', message: 'Instance 77 not found' } }],
  created_at: at(30),
  updated_at: at(31),
  actor: 'alice',
  request: { type: 'bulk-update', data: { status: 'inactive' }, ids_count: 250 },
  started_at: at(30),
} satisfies z.output<typeof operationSchema>;

const requestId = '0f8fad5b-d9cb-469f-a165-70867728950e';
// @__NO_SIDE_EFFECTS__
function err(type: string, message: string, details?: Record<string, unknown>) {
  return {
    error: { type, message, details: details ?? {}, request_id: requestId },
    message,
  };
}

/** One error example per status (the SPEC error shape). */
export const errorExamples: Record<number, ReturnType<typeof err>> = {
  400: err('BadRequest', 'Invalid query parameters', {
    limit: 'must be an integer from 1 to 1000',
  }),
  401: err('Unauthorized', 'Missing or invalid token'),
  403: err('Forbidden', 'This operation needs the instances:admin scope'),
  404: err('NotFound', 'Instance 42 not found', { id: 42 }),
  409: err('Conflict', 'An instance named "llama31-70b-chat-prod" already exists', {
    name: 'llama31-70b-chat-prod',
  }),
  412: err('PreconditionFailed', 'If-Match does not match the current version', {
    id: 42,
    expected_version: 3,
    current_version: 4,
  }),
  413: err('PayloadTooLarge', 'Request body exceeds 65536 bytes', {
    max_bytes: 65536,
    received_bytes: 70000,
  }),
  405: err('MethodNotAllowed', 'Method not allowed', { allowed: ['POST'] }),
  415: err('UnsupportedMediaType', 'Content-Type must be application/json'),
  422: err('ValidationError', 'Request validation failed', {
    replicas: 'must be an integer from 1 to 100',
    id: 'read-only field',
    colour: 'unknown field',
  }),
  429: err('Throttled', 'Too many requests; retry later'),
  500: err('InternalError', 'Internal server error'),
  503: err('ServiceUnavailable', 'The table is not reachable'),
};
