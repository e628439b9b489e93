/**
 * Sharded stats under concurrency (#14 item 4). A stack of its own with four lanes per stream
 * shard, so history batches commit in parallel and their stats updates interleave on the
 * shards; the real history handler, wrapped to redeliver: some batches are delivered twice,
 * and some report a record as failed after everything was written, so the poller sends that
 * record and the rest of the batch again. Many concurrent creates, updates and deletes over
 * many instances; once history has caught up, GET /api/instances/stats must equal a recount of
 * the instances table, and the list's `total` must agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { LEGACY_STATS_KEY } from '../../shared/repo/stats.ts';
import { AppError } from '../../shared/domain/errors.ts';
import {
  PRIORITIES,
  STATUSES,
  createInstanceSchema,
  type UpdateInstanceInput,
} from '../../shared/domain/instance.ts';
import { eventually } from '../support/api.ts';
import { historyHandler } from '../support/history-handler.ts';
import { recount, scanAll } from '../../scripts/lib/soak/check.ts';

const LANES = 4;
const INSTANCES = 40;
const CHANGES = 260;
const WORKERS = 16;
const CLUSTERS = ['c-a', 'c-b', 'c-c', 'c-d', 'c-e'];
const MODELS = ['m-1', 'm-2', 'm-3'];

type Handler = (e: DynamoDBStreamEvent, c: Context) => Promise<DynamoDBBatchResponse>;

/** What the redelivering wrapper did: records delivered again after they were written. */
const redelivery = { duplicated: 0, retried: 0 };
let stack: LocalStack;
let doc: DynamoDBDocumentClient;

/**
 * The real history handler; every 3rd batch is delivered twice, and every 2nd batch, once
 * per record, reports its middle record failed after all of it was written (Lambda then
 * retries from that record: it and those after it arrive again).
 */
function redelivering(): Handler {
  let writer: Handler | undefined;
  let calls = 0;
  const failedOnce = new Set<string>();
  return async (e, c) => {
    writer ??= historyHandler(doc, stack.tableNames);
    const call = ++calls;
    const res = await writer(e, c);
    if (res.batchItemFailures.length > 0) return res;
    if (call % 3 === 0) {
      const again = await writer(e, c);
      if (again.batchItemFailures.length > 0) return again;
      redelivery.duplicated += e.Records.length;
    }
    const at = Math.floor(e.Records.length / 2);
    const seq = e.Records[at]!.dynamodb!.SequenceNumber!;
    if (call % 2 === 0 && !failedOnce.has(seq)) {
      failedOnce.add(seq);
      redelivery.retried += e.Records.length - at;
      return { batchItemFailures: [{ itemIdentifier: seq }] };
    }
    return res;
  };
}

async function getJson(path: string): Promise<any> {
  const res = await fetch(`${stack.url}${path}`);
  expect(res.status).toBe(200);
  return res.json();
}

/** A deterministic pseudo-random sequence (the same workload every run). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    streamParallelism: LANES,
    streamPollMs: 50,
    streamHandlers: { HistoryWriter: redelivering() },
  });
  doc = createDocumentClient(
    new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, ...LOCAL_AWS }),
  );
}, 120_000);

afterAll(async () => {
  doc?.destroy();
  await stack?.stop();
});

describe('sharded stats under parallel stream batches and redelivery', () => {
  it('equal a recount of the instances table', { timeout: 90_000 }, async () => {
    // Prepare
    const repo = new InstanceRepository(doc, stack.tableNames);
    const meta = { actor: 'stats-tester', opId: 'stats-concurrency' };
    const next = random(14);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
    const live: number[] = [];
    let made = 0;
    const create = async () => {
      const n = made++;
      const input = createInstanceSchema.parse({
        name: `stats-${n}`,
        model_name: pick(MODELS),
        cluster_name: pick(CLUSTERS),
        image_tag: 't',
        status: pick(STATUSES),
        priority: pick(PRIORITIES),
      });
      live.push((await repo.create(input, meta)).id);
    };

    // Act: creates, then updates, deletes and more creates from 16 writers at once.
    let created = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (created++ < INSTANCES) await create();
      }),
    );
    let done = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (done++ < CHANGES) {
          const roll = next();
          if (roll < 0.08) {
            await create();
            continue;
          }
          // Taken out of `live` before the delete starts, so no later change picks it.
          const id =
            roll < 0.16 ? live.splice(Math.floor(next() * live.length), 1)[0]! : pick(live);
          try {
            if (roll < 0.16) await repo.delete(id, meta);
            else await repo.update(id, randomPatch(), meta);
          } catch (err) {
            // An update that raced the delete of its instance.
            if (!(err instanceof AppError && err.status === 404)) throw err;
          }
        }
      }),
    );
    function randomPatch(): UpdateInstanceInput {
      const fields: UpdateInstanceInput = { replicas: 1 + Math.floor(next() * 8) };
      if (next() < 0.5) fields.status = pick(STATUSES);
      if (next() < 0.3) fields.priority = pick(PRIORITIES);
      if (next() < 0.3) fields.cluster_name = pick(CLUSTERS);
      if (next() < 0.2) fields.model_name = pick(MODELS);
      return fields;
    }

    // Every committed version (tombstones included) has its history record: caught up.
    const instances = await scanAll(doc, stack.tableNames.instances);
    const versions = instances.reduce((n, i) => n + Number(i.version), 0);
    const historyCount = async () => (await scanAll(doc, stack.tableNames.history)).length;
    await eventually(async () => (await historyCount()) >= versions, 60_000, 100);

    // Assess: exactly once, and redelivery really happened.
    expect(await historyCount()).toBe(versions);
    expect(redelivery.duplicated).toBeGreaterThan(0);
    expect(redelivery.retried).toBeGreaterThan(0);

    const expected = recount(instances);
    expect(expected.total).toBe(live.length);
    expect(await getJson('/api/instances/stats')).toEqual(expected);
    expect((await getJson('/api/instances?limit=1')).total).toBe(expected.total);
    expect((await getJson('/api/instances?status=active&limit=1')).total).toBe(
      expected.by_status.active ?? 0,
    );

    // The counts were spread over several shards, none in the single item of earlier versions.
    const statsItems = (await scanAll(doc, stack.tableNames.meta)).filter((m) =>
      String(m.pk).startsWith(LEGACY_STATS_KEY),
    );
    expect(statsItems.map((m) => m.pk)).not.toContain(LEGACY_STATS_KEY);
    expect(statsItems.length).toBeGreaterThan(LANES);
  });
});
