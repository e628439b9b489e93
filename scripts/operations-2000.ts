/**
 * The figures of issue #8, measured on the local stack (started in this process, in memory):
 *
 * 1. a bulk update of 2,000 instances selected by a list filter (`status=pending`,
 *    `cluster_name=gpu-cluster-2`, 200 non-matching instances beside them): time to accept,
 *    time to finish, time until every history record is written, DynamoDB capacity consumed by
 *    the whole chain (API + worker + history writer + stats), and a check that every instance
 *    has exactly one new version and one history record carrying the operation id;
 * 2. an export of 20,000 history records (csv and json) through S3: time, file size, the
 *    process's memory while it runs (sampled every 10 ms), and a download through the
 *    presigned URL that counts the records.
 *
 *   npx tsx --expose-gc scripts/operations-2000.ts [instances=2000] [records=20000]
 *
 * Capacity comes from DynamoDB Local's ReturnConsumedCapacity (close to AWS's formulas, not
 * exact for transactions: see bench/capacity.ts); it is collected through the local stack's
 * `onDynamoClient` hook, so it covers every handler's client (the checks' own are left out).
 */
import { pathOf } from '../shared/routes/define.ts';
import { routeKey } from '../shared/routes/table.ts';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../infra/local/dynamodb-local.ts';
import { createInstanceSchema } from '../shared/domain/instance.ts';
import type { HistoryRecord } from '../shared/domain/history.ts';

const INSTANCES = Number(process.argv[2] ?? 2000);
const RECORDS = Number(process.argv[3] ?? 20_000);
const OTHERS = 200;

// ---- capacity: every DynamoDB client the handlers create reports what it consumed ----------
const consumed = { read: 0, write: 0, byTable: new Map<string, number>() };
const WRITES = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)Command$/;
const DATA = /^(GetItem|Query|Scan|BatchGetItem|TransactGetItems)Command$/;
function record(c: ConsumedCapacity | undefined, write: boolean) {
  if (!c?.TableName) return;
  const units = c.CapacityUnits ?? 0;
  if (write) consumed.write += units;
  else consumed.read += units;
  const name = c.TableName.replace(/^inference-instances-/, '');
  consumed.byTable.set(name, (consumed.byTable.get(name) ?? 0) + units);
}
/** Clients of this script's own checks: what they read is not the operations' cost. */
const unmetered = new WeakSet<DynamoDBClient>();
const meter = {
  instrument(client: DynamoDBClient) {
    if (unmetered.has(client)) return;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName);
        const write = WRITES.test(name);
        if (!write && !DATA.test(name)) return next(args);
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        const out = await next(args);
        const cc = (out.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        for (const c of Array.isArray(cc) ? cc : [cc]) record(c, write);
        return out;
      },
      { step: 'initialize', name: 'ops-capacity' },
    );
  },
};
const resetCapacity = () => {
  consumed.read = 0;
  consumed.write = 0;
  consumed.byTable.clear();
};
const snapshotCapacity = () => ({
  read_units: round(consumed.read),
  write_units: round(consumed.write),
  by_table: Object.fromEntries([...consumed.byTable].map(([k, v]) => [k, round(v)])),
});

const { startLocalStack } = await import('../infra/local/stack.ts');
const { createDocumentClient } = await import('../shared/aws/dynamo.ts');
const { InstanceRepository } = await import('../shared/repo/instances.ts');
const { mapBounded } = await import('../shared/aws/concurrency.ts');
const { historyItem } = await import('../shared/repo/history-writer.ts');

function round(n: number) {
  return Math.round(n * 10) / 10;
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T | undefined>, stepMs = 100, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(stepMs);
  }
}

const stack = await startLocalStack({ port: 0, onDynamoClient: (c) => meter.instrument(c) });
/** A client for the checks, which the capacity meter leaves out. */
const unmeteredClient = () => {
  const client = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, ...LOCAL_AWS });
  unmetered.add(client);
  return client;
};
const plain = createDocumentClient(unmeteredClient());
const checkDoc = DynamoDBDocumentClient.from(unmeteredClient());
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    ...(body
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- loosely typed JSON answers
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const TERMINAL = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'];
const finished = (id: string) =>
  until(async () => {
    const op = (await api('GET', pathOf(routeKey('getOperation'), { operation_id: id }))).body;
    return TERMINAL.includes(op.status) ? op : undefined;
  }, 50);
const historyCount = async (id: number) =>
  (
    await checkDoc.send(
      new QueryCommand({
        TableName: stack.tableNames.history,
        KeyConditionExpression: 'instance_id = :id',
        ExpressionAttributeValues: { ':id': id },
      }),
    )
  ).Items ?? [];

/** History records (of one operation): a Scan, fine for a measurement. */
async function countRecordsOf(operationId: string | undefined): Promise<number> {
  let n = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const res = await checkDoc.send(
      new ScanCommand({
        TableName: stack.tableNames.history,
        ...(operationId
          ? {
              FilterExpression: 'operation_id = :op',
              ExpressionAttributeValues: { ':op': operationId },
            }
          : {}),
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    n += res.Count ?? 0;
    start = res.LastEvaluatedKey;
  } while (start);
  return n;
}

const report: Record<string, unknown> = {};
try {
  // ---- 1. bulk update of INSTANCES by filter -------------------------------------------------
  const repo = new InstanceRepository(plain, stack.tableNames);
  const seedMeta = { actor: 'seed', opId: 'seed' };
  const make = (i: number, cluster: string) =>
    repo.create(
      createInstanceSchema.parse({
        name: `ops2000-${cluster}-${i}`,
        model_name: 'llama-3-70b',
        cluster_name: cluster,
        image_tag: 'vllm:0.6.3',
        status: 'pending',
        envs: { HF_HOME: '/models' },
      }),
      seedMeta,
    );
  const t0 = performance.now();
  const targets = await mapBounded(
    Array.from({ length: INSTANCES }, (_, i) => i),
    16,
    (i) => make(i, 'gpu-cluster-2'),
  );
  const others = await mapBounded(
    Array.from({ length: OTHERS }, (_, i) => i),
    16,
    (i) => make(i, 'gpu-cluster-1'),
  );
  const ids = targets.map((i) => i.id);
  // Let the history writer finish the creates, so the figures below are the operation's own.
  await until(async () =>
    (await countRecordsOf(undefined)) >= INSTANCES + OTHERS ? true : undefined,
  );
  await sleep(2000);
  console.log(`seeded ${INSTANCES + OTHERS} instances in ${seconds(performance.now() - t0)}`);

  resetCapacity();
  const start = performance.now();
  const created = await api('POST', routeKey('createOperation').path, {
    type: 'bulk-update',
    filter: { status: 'pending', cluster_name: 'gpu-cluster-2' },
    data: { replicas: 4 },
  });
  const accepted = performance.now() - start;
  if (created.status !== 202) throw new Error(`POST failed: ${JSON.stringify(created.body)}`);
  const op = await finished(created.body.operation_id);
  const done = performance.now() - start;
  // Every history record of the operation written (the stream chain's tail).
  await until(async () =>
    (await countRecordsOf(op.operation_id)) >= INSTANCES ? true : undefined,
  );
  const historyDone = performance.now() - start;
  await sleep(1500); // stats counters and broadcaster settle
  const capacity = snapshotCapacity();

  // Exactly one new version and one history record with the operation id per instance.
  const after = await repo.getMany(ids);
  const versions = after.filter((i) => i.version === 2 && i.replicas === 4).length;
  let exact = 0;
  await mapBounded(ids, 32, async (id) => {
    const h = await historyCount(id);
    const mine = h.filter((r) => r.operation_id === op.operation_id);
    if (mine.length === 1 && mine[0]!.version === 2 && h.length === 2) exact++;
  });
  const untouched = (await repo.getMany(others.map((o) => o.id))).filter(
    (i) => i.version === 1,
  ).length;
  report.bulk_update = {
    instances: INSTANCES,
    status: op.status,
    processed: op.processed,
    accepted_ms: Math.round(accepted),
    finished_s: round(done / 1000),
    history_complete_s: round(historyDone / 1000),
    items_per_s: Math.round(INSTANCES / (done / 1000)),
    capacity,
    capacity_per_instance: {
      read_units: round(capacity.read_units / INSTANCES),
      write_units: round(capacity.write_units / INSTANCES),
    },
    instances_with_exactly_one_new_version: versions,
    instances_with_exactly_one_history_record_of_the_operation: exact,
    non_matching_instances_untouched: `${untouched}/${OTHERS}`,
  };
  console.log(JSON.stringify({ bulk_update: report.bulk_update }, null, 2));

  // ---- 2. export of RECORDS history records ---------------------------------------------------
  // Written straight into the history table: 200 instances × RECORDS/200 versions.
  const perInstance = Math.ceil(RECORDS / 200);
  const exportIds = Array.from({ length: 200 }, (_, i) => 5_000_001 + i);
  let hid = 10_000_000;
  const snapshot = (id: number, v: number) => ({
    id,
    name: `export-${id}`,
    model_name: 'llama-3-70b',
    model_version: 'latest',
    cluster_name: 'gpu-cluster-3',
    image_tag: 'vllm:0.6.3',
    replicas: (v % 100) + 1,
    pp: 1,
    cp: 8,
    tp: 1,
    workers: 1,
    task_concurrency: 1,
    pipeline_mode: false,
    cuda_graph: false,
    status: 'active' as const,
    priority: 'medium' as const,
    description: 'seeded for the export measurement, "quoted", with commas, and =formula',
    envs: { HF_HOME: '/models', NCCL_DEBUG: 'WARN', MAX_BATCH: String(v) },
    version: v,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: new Date(Date.UTC(2026, 0, 1) + v * 60_000).toISOString(),
    created_by: 'seed',
    updated_by: 'seed',
  });
  const items: Record<string, unknown>[] = [];
  for (const id of exportIds) {
    for (let v = 1; v <= perInstance; v++) {
      const r: HistoryRecord = {
        history_id: hid++,
        instance_id: id,
        original_id: id,
        version: v,
        operation_type: v === 1 ? 'create' : 'update',
        operation_timestamp: new Date(Date.UTC(2026, 0, 1) + v * 60_000).toISOString(),
        actor: 'seed',
        changed_fields: ['replicas'],
        changes: { replicas: { old: v % 100, new: (v % 100) + 1 } },
        snapshot: snapshot(id, v),
        batch_id: 'seed',
      };
      items.push(historyItem(r));
    }
  }
  await mapBounded(
    Array.from({ length: Math.ceil(items.length / 25) }, (_, i) =>
      items.slice(i * 25, i * 25 + 25),
    ),
    8,
    async (batch) => {
      let pending: Record<string, unknown>[] | undefined = batch.map((Item) => ({
        PutRequest: { Item },
      }));
      while (pending?.length) {
        const res = await checkDoc.send(
          new BatchWriteCommand({ RequestItems: { [stack.tableNames.history]: pending as never } }),
        );
        pending = res.UnprocessedItems?.[stack.tableNames.history] as never;
      }
    },
  );
  const records = exportIds.length * perInstance;
  await sleep(1000);
  console.log(`seeded ${records} history records for the export`);

  const exports: Record<string, unknown> = {};
  // Two sizes per format: with bounded memory the peak does not grow with the export.
  const runs = (['csv', 'json'] as const).flatMap((format) =>
    [exportIds.length / 2, exportIds.length].map((n) => ({ format, n })),
  );
  for (const { format, n } of runs) {
    (globalThis as { gc?: () => void }).gc?.();
    await sleep(500);
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 10);
    resetCapacity();
    const s = performance.now();
    const res = await api('POST', routeKey('createOperation').path, {
      type: 'export',
      format,
      instance_ids: exportIds.slice(0, n),
    });
    const eop = await finished(res.body.operation_id);
    const took = performance.now() - s;
    clearInterval(sampler);
    const cap = snapshotCapacity();
    // Download through the presigned URL, streamed: count records without keeping the file.
    const file = await fetch(eop.result.download_url);
    let bytes = 0;
    let newlines = 0;
    let tail = '';
    for await (const chunk of file.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      const text = Buffer.from(chunk).toString('latin1');
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) newlines++;
      tail = (tail + text).slice(-64);
    }
    exports[`${format}_${eop.result.records}`] = {
      status: eop.status,
      records: eop.result.records,
      file_bytes: eop.result.bytes,
      file_mb: mb(eop.result.bytes),
      took_s: round(took / 1000),
      parts: eop.result.parts,
      download_status: file.status,
      downloaded_bytes: bytes,
      ...(format === 'csv'
        ? { downloaded_rows: newlines - 1 }
        : { downloaded_count: Number(/"count":(\d+)\}$/.exec(tail)?.[1]) }),
      memory: {
        rss_before: mb(base.rss),
        rss_peak_delta: mb(peakRss - base.rss),
        heap_before: mb(base.heapUsed),
        heap_peak_delta: mb(peakHeap - base.heapUsed),
      },
      capacity: cap,
    };
    console.log(
      JSON.stringify(
        { [`export_${format}_${eop.result.records}`]: exports[`${format}_${eop.result.records}`] },
        null,
        2,
      ),
    );
  }
  report.export = { records, ...exports };
} finally {
  await stack.stop();
}
console.log('\nREPORT ' + JSON.stringify(report));
