/**
 * History is exact under faults: the real history handler, driven by the local event source
 * mapping (StreamPoller) over the real DynamoDB Local stream, with transient throttling
 * injected into its history writes. Uses its own tables so counts are exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { DynamoDBClient, ThrottlingException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBStreamsClient,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { streamConsumers } from '../../shared/config/streams.ts';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { StatsRepository } from '../../shared/repo/stats.ts';
import { historyHandler } from '../support/history-handler.ts';
import { createInstanceSchema } from '../../shared/domain/instance.ts';
import { ensureTables, prefixedTableNames } from '../../infra/local/tables.ts';
import { StreamPoller } from '../../infra/local/stream-poller.ts';
import { toLambdaRecord } from '../../infra/local/stream-records.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { eventually, stack } from '../support/api.ts';

const consumer = streamConsumers.find((c) => c.id === 'HistoryWriter')!;
const ctx = {} as Context;

/** A document client whose history writes fail with throttling at the given call numbers. */
function faultyClient(failAt: Set<number>): {
  client: DynamoDBDocumentClient;
  injected: () => number;
} {
  const client = createDocumentClient(
    new DynamoDBClient({ endpoint: stack().dynamodb, ...LOCAL_AWS, maxAttempts: 1 }),
  );
  let writes = 0;
  let injected = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (
        /^(PutItem|Put|TransactWriteItems|TransactWrite)Command$/.test(String(context.commandName))
      ) {
        writes++;
        if (failAt.has(writes)) {
          injected++;
          throw new ThrottlingException({ message: 'injected throttling', $metadata: {} });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'inject-faults' },
  );
  return { client, injected: () => injected };
}

describe('history under faults', () => {
  const prefix = `faults-${randomUUID().slice(0, 6)}-`;
  const names = prefixedTableNames(prefix);
  let streamArn = '';
  let poller: StreamPoller;
  let doc: DynamoDBDocumentClient;
  let repo: InstanceRepository;
  let fault: ReturnType<typeof faultyClient>;

  beforeAll(async () => {
    const admin = new DynamoDBClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
    streamArn = (await ensureTables(admin, names)).instances!;
    doc = createDocumentClient(admin);
    repo = new InstanceRepository(doc, names);
    fault = faultyClient(new Set([3, 8, 9, 40, 200, 777]));
    poller = new StreamPoller({
      consumer,
      streamArn,
      endpoint: stack().dynamodb,
      pollMs: 50,
      handler: historyHandler(fault.client, names),
    });
    poller.start();
  });

  afterAll(async () => {
    await poller.stop();
  });

  const countHistory = async () => {
    let n = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const res = await doc.send(
        new ScanCommand({ TableName: names.history, Select: 'COUNT', ExclusiveStartKey: start }),
      );
      n += res.Count ?? 0;
      start = res.LastEvaluatedKey;
    } while (start);
    return n;
  };

  it('1,000 updates over 50 instances give exactly 1,050 records, stats equal to a recount', async () => {
    const meta = { actor: 'fault-tester', opId: 'bulk' };
    const clusters = ['c-a', 'c-b', 'c-c'];
    const ids: number[] = [];
    for (let i = 0; i < 50; i++) {
      const input = createInstanceSchema.parse({
        name: `${prefix}${i}`,
        model_name: `m-${i % 4}`,
        cluster_name: clusters[i % 3],
        image_tag: 't',
      });
      ids.push((await repo.create(input, meta)).id);
    }
    const statuses = ['active', 'pending', 'inactive', 'error'] as const;
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < 1000) {
          const n = next++;
          const id = ids[n % 50]!;
          await repo.update(
            id,
            { replicas: (n % 100) + 1, status: statuses[n % 4]!, envs: { RUN: String(n) } },
            meta,
          );
        }
      }),
    );
    await eventually(async () => (await countHistory()) >= 1050, 120_000, 250);
    // Let any redelivery settle, then count again: still exactly one record per change.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await countHistory()).toBe(1050);
    expect(fault.injected()).toBeGreaterThanOrEqual(5);

    for (const id of ids.slice(0, 5)) {
      const res = await doc.send(
        new QueryCommand({
          TableName: names.history,
          KeyConditionExpression: 'instance_id = :id',
          ExpressionAttributeValues: { ':id': id },
        }),
      );
      const versions = (res.Items ?? []).map((r) => r.version as number);
      expect(versions).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    }
    const all = await doc.send(
      new ScanCommand({ TableName: names.history, ProjectionExpression: 'history_id' }),
    );
    const hids = (all.Items ?? []).map((r) => r.history_id as number);
    expect(new Set(hids).size).toBe(hids.length);

    // Stats from the stream equal a recount of the live instances.
    const current = await repo.getMany(ids);
    const stats = await new StatsRepository(doc, names.meta).read();
    expect(stats.total).toBe(50);
    const recount = (key: 'status' | 'cluster_name' | 'model_name') =>
      current.reduce<Record<string, number>>(
        (acc, i) => ({ ...acc, [i[key]]: (acc[i[key]] ?? 0) + 1 }),
        {},
      );
    expect(stats.by_status).toEqual(recount('status'));
    expect(stats.by_cluster).toEqual(recount('cluster_name'));
    expect(stats.by_model).toEqual(recount('model_name'));
  }, 180_000);

  it('replaying the same stream batch adds nothing and leaves stats alone', async () => {
    const streams = new DynamoDBStreamsClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
    const shards =
      (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription
        ?.Shards ?? [];
    const it0 = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shards[0]!.ShardId!,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const batch = await streams.send(
      new GetRecordsCommand({ ShardIterator: it0.ShardIterator!, Limit: 100 }),
    );
    expect(batch.Records?.length).toBeGreaterThan(0);
    const before = await countHistory();
    const statsBefore = await new StatsRepository(doc, names.meta).read();

    const handler = historyHandler(doc, names);
    const res = await handler(
      { Records: batch.Records!.map((r) => toLambdaRecord(r, streamArn)) },
      ctx,
    );

    expect(res.batchItemFailures).toEqual([]);
    expect(await countHistory()).toBe(before);
    expect(await new StatsRepository(doc, names.meta).read()).toEqual(statsBefore);
  });

  it('a record that keeps failing goes to the on-failure destination after the retries, and processing moves on', async () => {
    const deadPrefix = `dead-${randomUUID().slice(0, 6)}-`;
    const dead = prefixedTableNames(deadPrefix);
    const admin = new DynamoDBClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
    const arn = (await ensureTables(admin, dead)).instances!;
    const deadRepo = new InstanceRepository(createDocumentClient(admin), dead);
    const poisonName = `${deadPrefix}poison`;
    const good = historyHandler(createDocumentClient(admin), dead);
    let calls = 0;
    const p = new StreamPoller({
      consumer: { ...consumer, retryAttempts: 2 },
      streamArn: arn,
      endpoint: stack().dynamodb,
      pollMs: 50,
      handler: async (event, context) => {
        calls++;
        if (
          event.Records.some((r) => JSON.stringify(r.dynamodb?.NewImage ?? {}).includes(poisonName))
        )
          throw new Error('poison record');
        return good(event, context);
      },
    });
    p.start();
    try {
      await deadRepo.create(
        createInstanceSchema.parse({
          name: poisonName,
          model_name: 'm',
          cluster_name: 'c',
          image_tag: 't',
        }),
        { actor: 'x', opId: 'y' },
      );
      await eventually(async () => p.dlqCount >= 1, 20_000);
      await deadRepo.create(
        createInstanceSchema.parse({
          name: `${deadPrefix}fine`,
          model_name: 'm',
          cluster_name: 'c',
          image_tag: 't',
        }),
        { actor: 'x', opId: 'z' },
      );
      const docDead = createDocumentClient(admin);
      await eventually(
        async () =>
          ((await docDead.send(new ScanCommand({ TableName: dead.history }))).Count ?? 0) === 1,
        20_000,
      );
      expect(calls).toBeGreaterThanOrEqual(3);
      expect(existsSync(p.dlqFile)).toBe(true);
      const entry = JSON.parse(readFileSync(p.dlqFile, 'utf8').trim().split('\n').pop()!);
      expect(entry.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(entry.DDBStreamBatchInfo.batchSize).toBe(1);
    } finally {
      await p.stop();
    }
  });
});
