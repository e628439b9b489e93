/**
 * History survives what used to lose it: an outage of the database longer than the old retry
 * budget (5 retries, ~3 s), poison records (quarantined, then redriven once the cause is
 * fixed), and batches in the on-failure destination (redriven from the stream). The real
 * history handler and local event source mapping on the real DynamoDB Local stream, with
 * tables of their own so counts are exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, connect } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { streamConsumers } from '../../shared/config/streams.ts';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { StatsRepository } from '../../shared/repo/stats.ts';
import { QuarantineRepository } from '../../shared/repo/quarantine.ts';
import { createInstanceSchema } from '../../shared/domain/instance.ts';
import { ensureTables, prefixedTableNames } from '../../infra/local/tables.ts';
import { StreamPoller } from '../../infra/local/stream-poller.ts';
import { redrive } from '../../infra/local/redrive.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { eventually, stack } from '../support/api.ts';
import { historyHandler } from '../support/history-handler.ts';

const consumer = streamConsumers.find((c) => c.id === 'HistoryWriter')!;
const meta = { actor: 'durability', opId: 'test' };

/** A TCP proxy to DynamoDB Local that can refuse connections, as a database outage does. */
async function outageProxy(target: URL) {
  let server: Server | undefined;
  const sockets = new Set<import('node:net').Socket>();
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port), target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      }).listen(port, '127.0.0.1', () => resolve());
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server?.close(() => resolve());
    });
  await up();
  return { endpoint: `http://127.0.0.1:${port}`, up, down };
}

describe('history durability', () => {
  const admin = () => new DynamoDBClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
  let doc: DynamoDBDocumentClient;
  const pollers: StreamPoller[] = [];

  beforeAll(() => {
    doc = createDocumentClient(admin());
  });
  afterAll(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
  });

  const create = (repo: InstanceRepository, name: string, cluster = 'c') =>
    repo.create(
      createInstanceSchema.parse({ name, model_name: 'm', cluster_name: cluster, image_tag: 't' }),
      meta,
    );
  const versionsOf = async (table: string) =>
    ((await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []).map(
      (h) => `${h.instance_id}/${h.version}`,
    );
  const statsOf = (table: string) => new StatsRepository(doc, table).read();

  it('rides out a database outage longer than the old retry budget without losing a record', async () => {
    const names = prefixedTableNames(`outage-${randomUUID().slice(0, 6)}-`);
    const arns = await ensureTables(admin(), names);
    const proxy = await outageProxy(new URL(stack().dynamodb));
    // The handler reaches the database through the proxy, with no SDK retries of its own.
    const viaProxy = createDocumentClient(
      new DynamoDBClient({ endpoint: proxy.endpoint, ...LOCAL_AWS, maxAttempts: 1 }),
    );
    const poller = new StreamPoller({
      consumer,
      streamArn: arns.instances!,
      endpoint: stack().dynamodb,
      pollMs: 50,
      stateDir: mkdtempSync(join(tmpdir(), 'ii-outage-')),
      handler: historyHandler(viaProxy, names),
    });
    pollers.push(poller);
    poller.start();
    const repo = new InstanceRepository(doc, names);

    const first = await create(repo, 'before-outage');
    await eventually(async () => (await versionsOf(names.history)).length === 1);

    await proxy.down();
    const during = [];
    for (let i = 0; i < 5; i++) during.push(await create(repo, `during-outage-${i}`));
    await repo.update(first.id, { replicas: 3 }, meta);
    // Longer than 5 retries with the old backoff (50·2^n ms, ~3 s) took to give up.
    const outageEnds = Date.now() + 8_000;
    await eventually(async () => Date.now() > outageEnds, 10_000, 250);
    expect(await versionsOf(names.history)).toHaveLength(1);
    await proxy.up();

    await eventually(async () => (await versionsOf(names.history)).length === 7, 30_000);
    expect((await versionsOf(names.history)).sort()).toEqual(
      [`${first.id}/1`, `${first.id}/2`, ...during.map((d) => `${d.id}/1`)].sort(),
    );
    expect(poller.dlqCount).toBe(0);
    expect(await new QuarantineRepository(doc, names).list(consumer.id)).toEqual([]);
    expect((await statsOf(names.meta)).total).toBe(6);
    await proxy.down();
  }, 60_000);

  it('quarantines a poison record, and the redrive writes its history once after the fix', async () => {
    const names = prefixedTableNames(`poison-${randomUUID().slice(0, 6)}-`);
    // The history table is missing (a broken deployment): every write fails the same way.
    const arns = await ensureTables(admin(), { ...names, history: `${names.history}-absent` });
    const stateDir = mkdtempSync(join(tmpdir(), 'ii-poison-'));
    const handler = historyHandler(doc, names);
    const poller = new StreamPoller({
      consumer,
      streamArn: arns.instances!,
      endpoint: stack().dynamodb,
      pollMs: 50,
      stateDir,
      handler,
    });
    pollers.push(poller);
    poller.start();
    const repo = new InstanceRepository(doc, names);
    const quarantine = new QuarantineRepository(doc, names);

    const a = await create(repo, 'poison-a', 'c-1');
    const b = await create(repo, 'poison-b', 'c-2');
    await repo.update(a.id, { replicas: 2 }, meta);
    const held = await eventually(async () => {
      const items = await quarantine.list(consumer.id);
      return items.length === 3 && items;
    });
    // Set aside, not retried: the mapping moved on and dead-lettered nothing.
    expect(poller.dlqCount).toBe(0);
    expect(held.map((q) => q.reason).every((r) => r.startsWith('ResourceNotFoundException'))).toBe(
      true,
    );

    // The fix: the history table exists.
    await ensureTables(admin(), names);
    const streams = new DynamoDBStreamsClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
    const report = await redrive({ consumer, handler, streams, quarantine, stateDir });
    expect(report).toMatchObject({ quarantineReleased: 3, quarantineStillFailing: 0 });
    expect((await versionsOf(names.history)).sort()).toEqual(
      [`${a.id}/1`, `${a.id}/2`, `${b.id}/1`].sort(),
    );
    expect(await statsOf(names.meta)).toMatchObject({
      total: 2,
      by_cluster: { 'c-1': 1, 'c-2': 1 },
    });

    // Again: nothing left to do, nothing written twice.
    const again = await redrive({ consumer, handler, streams, quarantine, stateDir });
    expect(again).toMatchObject({ quarantineReleased: 0, entriesReplayed: 0 });
    expect(await versionsOf(names.history)).toHaveLength(3);
    streams.destroy();
  }, 60_000);

  it('redrives an on-failure entry by re-reading its range from the stream', async () => {
    const names = prefixedTableNames(`dlq-${randomUUID().slice(0, 6)}-`);
    const arns = await ensureTables(admin(), names);
    const stateDir = mkdtempSync(join(tmpdir(), 'ii-dlq-'));
    const good = historyHandler(doc, names);
    let broken = true;
    const poller = new StreamPoller({
      // A counted budget (the OperationWorker has one), so a failure reaches the destination quickly.
      consumer: { ...consumer, retryAttempts: 1 },
      streamArn: arns.instances!,
      endpoint: stack().dynamodb,
      pollMs: 50,
      stateDir,
      handler: async (event, context) => {
        if (broken) throw new Error('handler crashed');
        return good(event, context);
      },
    });
    pollers.push(poller);
    poller.start();
    const repo = new InstanceRepository(doc, names);
    const x = await create(repo, 'dlq-x');
    await eventually(async () => poller.dlqCount >= 1);
    broken = false;
    const y = await create(repo, 'dlq-y');
    await eventually(async () => (await versionsOf(names.history)).includes(`${y.id}/1`));
    expect(await versionsOf(names.history)).not.toContain(`${x.id}/1`);

    const streams = new DynamoDBStreamsClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
    const quarantine = new QuarantineRepository(doc, names);
    const report = await redrive({ consumer, handler: good, streams, quarantine, stateDir });
    expect(report).toMatchObject({ entriesReplayed: poller.dlqCount, entriesFailed: 0 });
    expect((await versionsOf(names.history)).sort()).toEqual([`${x.id}/1`, `${y.id}/1`].sort());
    expect(
      (await redrive({ consumer, handler: good, streams, quarantine, stateDir })).entriesReplayed,
    ).toBe(0);
    streams.destroy();
  }, 60_000);
});
