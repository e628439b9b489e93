/**
 * A worker that dies mid-run. The real operation worker runs under the local event source
 * mapping (StreamPoller) on tables of its own; each "incarnation" of the worker has its own
 * DynamoDB client, and a crash freezes that client (no call of the dead worker ever lands
 * again) and fails the invocation, as a Lambda that died would. The stream hands the record to
 * the next incarnation, which must finish the operation without changing any instance twice
 * and without skipping one, even when someone edited an instance the dead worker had changed.
 */
import { createS3Client } from '../../shared/aws/s3.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumers } from '../../shared/config/streams.ts';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { createInstanceSchema } from '../../shared/domain/instance.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { historyHandler } from '../support/history-handler.ts';
import { mapBounded } from '../../shared/aws/concurrency.ts';
import { OperationRepository } from '../../shared/ops/repository.ts';
import { OperationService } from '../../shared/ops/service.ts';
import { BulkExecutor } from '../../shared/ops/bulk.ts';
import { OperationRunner } from '../../shared/ops/runner.ts';
import { HistoryExportSource } from '../../shared/ops/export-source.ts';
import { HistoryTable } from '../../shared/repo/history-table.ts';
import { ExportBucket } from '../../shared/ops/export-file.ts';
import { createOperationWorker } from '../../shared/ops/worker.ts';
import { ensureTables, prefixedTableNames } from '../../infra/local/tables.ts';
import { StreamPoller } from '../../infra/local/stream-poller.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { startS3Local, type S3Local } from '../../infra/local/s3-local.ts';
import { eventually, stack } from '../support/api.ts';

const consumerOf = (id: string) => streamConsumers.find((c) => c.id === id)!;
const never = () => new Promise<never>(() => undefined);

interface Incarnation {
  handler: (e: DynamoDBStreamEvent, c: Context) => Promise<DynamoDBBatchResponse>;
  crashed: Promise<void>;
  /** Instance ids whose write by this incarnation landed. */
  written: number[];
}

describe('operation worker crashes', () => {
  const prefix = `opfault-${randomUUID().slice(0, 6)}-`;
  const names = prefixedTableNames(prefix);
  const endpoint = () => stack().dynamodb;
  let doc: DynamoDBDocumentClient;
  let repo: InstanceRepository;
  const pollers: StreamPoller[] = [];
  let s3Local: S3Local | undefined;
  let operationsArn = '';
  /** The worker incarnations in order; the poller's handler uses `plan[current]`. */
  let plan: Incarnation[] = [];
  let current = 0;
  let crashes = 0;
  let onCrash: (dead: Incarnation) => Promise<void> = async () => undefined;

  /**
   * A worker whose clients die after `crashAt.writes` instance writes, after its first
   * checkpoint, or after `crashAt.parts` export parts were uploaded (before their checkpoint).
   */
  function incarnation(crashAt: {
    writes?: number;
    checkpoint?: boolean;
    parts?: number;
  }): Incarnation {
    const client = createDocumentClient(new DynamoDBClient({ endpoint: endpoint(), ...LOCAL_AWS }));
    let dead = false;
    let writes = 0;
    let signal!: () => void;
    const crashed = new Promise<void>((r) => (signal = r));
    const written: number[] = [];
    const die = () => {
      dead = true;
      signal();
      return never();
    };
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (dead) return never();
        const input = args.input as { TableName?: string; Item?: Record<string, unknown> };
        const out = await next(args);
        if (dead) return never();
        const command = String(context.commandName);
        if (/^Put(Item)?Command$/.test(command) && input.TableName === names.instances) {
          const id = input.Item?.id as number | { N: string };
          written.push(typeof id === 'number' ? id : Number(id.N));
          if (++writes === crashAt.writes) return die();
        }
        if (
          /^Update(Item)?Command$/.test(command) &&
          input.TableName === names.operations &&
          crashAt.checkpoint
        ) {
          return die();
        }
        return out;
      },
      { step: 'initialize', name: 'crash-injection' },
    );
    let parts = 0;
    const s3 = createS3Client({
      region: LOCAL_AWS.region,
      credentials: LOCAL_AWS.credentials,
      forcePathStyle: true,
      ...(s3Local ? { endpoint: s3Local.endpoint } : {}),
      // The transport dies like the process would: after the part's upload, before its checkpoint.
      fetch: async (input, init) => {
        if (dead) return never();
        const res = await fetch(input, init);
        if (dead) return never();
        const uploadPart = init?.method === 'PUT' && String(input).includes('partNumber=');
        if (uploadPart && ++parts === crashAt.parts) return die();
        return res;
      },
    });
    const ops = new OperationRepository(client, names);
    const runner = new OperationRunner({
      ops,
      bulk: new BulkExecutor(client, new InstanceRepository(client, names), names.history),
      source: new HistoryExportSource(client, names.history, (id, n) => ops.chunk(id, n)),
      bucket: new ExportBucket(s3, s3Local?.bucketNames.exports ?? 'unused'),
      partBytes: 4096,
    });
    return { handler: createOperationWorker(runner, async () => undefined), crashed, written };
  }

  beforeAll(async () => {
    const admin = new DynamoDBClient({ endpoint: endpoint(), ...LOCAL_AWS });
    const arns = await ensureTables(admin, names);
    operationsArn = arns.operations!;
    s3Local = await startS3Local();
    doc = createDocumentClient(admin);
    repo = new InstanceRepository(doc, names);
    const history = new StreamPoller({
      consumer: consumerOf('HistoryWriter'),
      streamArn: arns.instances!,
      endpoint: endpoint(),
      pollMs: 50,
      handler: historyHandler(doc, names),
    });
    pollers.push(history);
    history.start();
    startWorker();
  });

  afterAll(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
    await s3Local?.stop();
  });

  /** The operation worker under the local event source mapping, crashing as `plan` says. */
  function startWorker() {
    const worker = new StreamPoller({
      consumer: consumerOf('OperationWorker'),
      streamArn: operationsArn,
      endpoint: endpoint(),
      pollMs: 50,
      handler: async (event, context) => {
        const inc = plan[current]!;
        const outcome = await Promise.race([
          inc.handler(event, context),
          inc.crashed.then(() => 'crashed' as const),
        ]);
        if (outcome !== 'crashed') return outcome;
        crashes++;
        current++;
        await onCrash(inc);
        throw new Error('worker died');
      },
    });
    pollers.push(worker);
    worker.start();
  }

  const waitFinished = (id: string) =>
    eventually(
      async () => {
        const o = await new OperationRepository(doc, names).get(id, true);
        return o && ['succeeded', 'partially_succeeded', 'failed'].includes(o.status)
          ? o
          : undefined;
      },
      120_000,
      200,
    );

  it('a crash mid-chunk and a crash after a checkpoint: every instance changed exactly once', async () => {
    // Prepare: 250 instances (3 chunks) and a worker that dies twice.
    const meta = { actor: 'seed', opId: 'seed' };
    const ids = (
      await mapBounded(
        Array.from({ length: 250 }, (_, i) => i),
        10,
        (i) =>
          repo.create(
            createInstanceSchema.parse({
              name: `${prefix}${i}`,
              model_name: 'm',
              cluster_name: 'c',
              image_tag: 't',
            }),
            meta,
          ),
      )
    ).map((i) => i.id);
    plan = [
      incarnation({ writes: 150 }), // dies in the middle of chunk 1
      incarnation({ checkpoint: true }), // finishes chunk 1, dies right after its checkpoint
      incarnation({}),
    ];
    current = 0;
    crashes = 0;
    let edited: number | undefined;
    const human = { actor: 'human', opId: 'by-hand' };
    onCrash = async (dead) => {
      if (crashes !== 1) return;
      // While the worker is down, someone edits an instance the dead worker had just
      // changed: its marker is gone, only history can tell that this operation did it.
      edited = dead.written[dead.written.length - 1]!;
      await repo.update(edited, { description: 'edited by hand' }, human);
    };
    // Act
    const service = new OperationService(new OperationRepository(doc, names), {
      list: async () => ({ items: [], next_cursor: null }),
    });
    const op = await service.create(
      { type: 'bulk-update', ids, data: { replicas: 7 } },
      'operator',
    );
    const done = await waitFinished(op.operation_id);

    // Assess: both crashes happened and the operation still counts every item once.
    expect(crashes).toBe(2);
    expect(done).toMatchObject({
      status: 'succeeded',
      total: 250,
      processed: 250,
      succeeded: 250,
      failed: 0,
      counts: { updated: 250 },
    });
    expect(edited).toBeDefined();
    const instances = await repo.getMany(ids);
    expect(instances).toHaveLength(250);
    for (const i of instances) {
      expect(i.replicas).toBe(7);
      expect(i.version).toBe(i.id === edited ? 3 : 2);
    }
    // History: exactly one record of this operation per instance (and the hand edit).
    await mapBounded(ids, 10, async (id) => {
      const records = await eventually(async () => {
        const res = await doc.send(
          new QueryCommand({
            TableName: names.history,
            KeyConditionExpression: 'instance_id = :id',
            ExpressionAttributeValues: { ':id': id },
          }),
        );
        const items = res.Items ?? [];
        return items.length >= (id === edited ? 3 : 2) ? items : undefined;
      }, 30_000);
      const mine = records.filter((r) => r.operation_id === op.operation_id);
      expect(mine.map((r) => [r.version, r.actor])).toEqual([[2, 'operator']]);
      expect(records).toHaveLength(id === edited ? 3 : 2);
    });
  }, 180_000);

  it('an export whose worker dies after uploading a part writes every record exactly once', async () => {
    // Prepare: the 250 instances above have 2 history records each; export 60 of them in
    // parts of 4 KB (many parts), with a worker that dies right after its 3rd part upload.
    const ids = (
      await new HistoryTable(doc, names.history).entries(
        { by: 'historyId' },
        { ascending: true, max: 120 },
      )
    ).map((k) => k.instance_id as number);
    const instanceIds = [...new Set(ids)].slice(0, 60);
    plan = [incarnation({ parts: 3 }), incarnation({})];
    current = 0;
    crashes = 0;
    onCrash = async () => undefined;

    // Act
    const service = new OperationService(new OperationRepository(doc, names), {
      list: async () => ({ items: [], next_cursor: null }),
    });
    const op = await service.create(
      { type: 'export', format: 'json', instance_ids: instanceIds },
      'operator',
    );
    const done = await waitFinished(op.operation_id);

    // Assess
    expect(crashes).toBe(1);
    expect(done.status).toBe('succeeded');
    const expected = (
      await mapBounded(instanceIds, 10, async (id) => {
        const res = await doc.send(
          new QueryCommand({
            TableName: names.history,
            KeyConditionExpression: 'instance_id = :id',
            ExpressionAttributeValues: { ':id': id },
          }),
        );
        return (res.Items ?? []).map((r) => `${r.instance_id}#${r.version}`);
      })
    ).flat();
    expect(done.result).toMatchObject({ records: expected.length, format: 'json' });
    expect(Number(done.result!.parts)).toBeGreaterThan(5);
    const bucket = new ExportBucket(
      createS3Client({
        region: LOCAL_AWS.region,
        credentials: LOCAL_AWS.credentials,
        forcePathStyle: true,
        endpoint: s3Local!.endpoint,
      }),
      s3Local!.bucketNames.exports,
    );
    const { url } = await bucket.downloadUrl(String(done.result!.key));
    const file = (await (await fetch(url)).json()) as {
      count: number;
      records: { instance_id: number; version: number }[];
    };
    expect(file.count).toBe(expected.length);
    expect(file.records.map((r) => `${r.instance_id}#${r.version}`)).toEqual(expected);
  }, 120_000);
});
