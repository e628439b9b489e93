/** Request bodies and stored items of realistic size (~1 KB stored, under one write unit). */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createInstanceSchema, STATUSES, type Instance } from '../shared/domain/instance.ts';
import { parseBody } from '../shared/domain/validation.ts';
import { toItem, type InstanceItem } from '../shared/repo/items.ts';
import { sleep } from './stats.ts';

/** Distinguishes the names of one run from another's (names are unique). */
export const RUN_TAG = randomUUID().slice(0, 6);

const DESCRIPTION =
  'Serving replica for the evaluation pipeline: tensor-parallel inference of the chat model ' +
  'with paged attention and continuous batching; metrics scraped every 15 s, logs kept 30 days.';

/** A create body; `i` varies name, cluster, model and status the way a real fleet does. */
export function createBody(i: number, prefix = 'bench'): Record<string, unknown> {
  return {
    name: `${prefix}-${RUN_TAG}-${i}`,
    model_name: i % 2 ? 'llama-3-70b-instruct' : 'mistral-7b-instruct',
    model_version: 'v2024.06',
    cluster_name: `gpu-cluster-${i % 4}`,
    image_tag: 'registry.example.com/inference/vllm:0.6.3-cu124',
    replicas: 2,
    tp: 4,
    workers: 8,
    task_concurrency: 16,
    quantization: 'fp8',
    description: DESCRIPTION,
    envs: {
      VLLM_ATTENTION_BACKEND: 'FLASHINFER',
      MAX_MODEL_LEN: '32768',
      GPU_MEMORY_UTILIZATION: '0.92',
      LOG_LEVEL: 'info',
    },
  };
}

/** A valid stored instance as the repository writes it on create (for direct seeding). */
export function seedItem(id: number, i: number, createdAt: string): InstanceItem {
  const input = parseBody(createInstanceSchema, {
    ...createBody(i, 'seed'),
    status: STATUSES[i % STATUSES.length],
  });
  const instance: Instance = {
    id,
    ...input,
    version: 1,
    created_at: createdAt,
    updated_at: createdAt,
    created_by: 'bench',
    updated_by: 'bench',
  };
  return toItem(instance, 'create', { actor: 'bench', opId: randomUUID() });
}

export type PutRequest = { PutRequest: { Item: Record<string, unknown> } };

/**
 * Writes every request with BatchWriteItem, 25 a call and 4 calls at once, sending what DynamoDB
 * leaves unprocessed again after a short backoff: how the benches seed tables fast.
 */
export async function batchWriteAll(
  doc: DynamoDBDocumentClient,
  table: string,
  requests: readonly PutRequest[],
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const from = next;
      next = Math.min(requests.length, next + 25);
      let batch: PutRequest[] | undefined = requests.slice(from, next);
      for (let attempt = 0; batch && batch.length > 0; attempt++) {
        if (attempt > 0) await sleep(20 * attempt);
        const res = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
        batch = res.UnprocessedItems?.[table] as PutRequest[] | undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}
