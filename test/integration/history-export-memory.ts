/**
 * Measures the memory of a history export: starts the local stack in this process (in memory),
 * seeds N history records of one instance straight into the history table, then downloads the
 * export in each format through the local API Gateway and prints RSS before, at peak (sampled
 * every millisecond) and after. Not a test (vitest does not pick it up); run it by hand:
 *
 *   npx tsx --expose-gc test/integration/history-export-memory.ts [records=5000]
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalStack } from '../../infra/local/stack.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { historyItem } from '../../shared/repo/history-writer.ts';
import type { HistoryRecord } from '../../shared/domain/history.ts';

const records = Number(process.argv[2] ?? 5000);
const instanceId = 1;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function record(v: number): HistoryRecord {
  const snapshot = {
    id: instanceId,
    name: 'memory-probe',
    model_name: 'llama-3-70b',
    model_version: 'latest',
    cluster_name: 'gpu-cluster-1',
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
    envs: { HF_HOME: '/models', NCCL_DEBUG: 'WARN', MAX_BATCH: String(v) },
    version: v,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: new Date(Date.UTC(2026, 0, 1) + v * 60_000).toISOString(),
    created_by: 'probe',
    updated_by: 'probe',
  };
  return {
    history_id: v,
    instance_id: instanceId,
    original_id: instanceId,
    version: v,
    operation_type: v === 1 ? 'create' : 'update',
    operation_timestamp: snapshot.updated_at,
    actor: 'probe',
    changed_fields: ['envs', 'replicas'],
    changes: {
      replicas: { old: v % 100 || 1, new: snapshot.replicas },
      envs: { old: { ...snapshot.envs, MAX_BATCH: String(v - 1) }, new: snapshot.envs },
    },
    snapshot,
    batch_id: `req-${v}`,
  };
}

const stack = await startLocalStack({ port: 0 });
try {
  const client = createDocumentClient(
    new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, ...LOCAL_AWS }),
  );
  const items = Array.from({ length: records }, (_, i) => historyItem(record(i + 1)));
  const batches = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map((b) =>
        client.send(
          new BatchWriteCommand({
            RequestItems: {
              [stack.tableNames.history]: b.map((Item) => ({ PutRequest: { Item } })),
            },
          }),
        ),
      ),
    );
  }
  items.length = 0;
  console.log(`seeded ${records} records`);

  // Warm up (module load, connections) so the figures below are the export itself.
  await fetch(`${stack.url}/api/instances/${instanceId}/history/export?format=csv`).then((r) =>
    r.arrayBuffer(),
  );
  for (const format of ['csv', 'xlsx', 'json']) {
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 1);
    const started = Date.now();
    const res = await fetch(
      `${stack.url}/api/instances/${instanceId}/history/export?format=${format}`,
    );
    const body = new Uint8Array(await res.arrayBuffer());
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(
      `${format.padEnd(4)} status ${res.status}  ${mb(body.length)} file  ${Date.now() - started} ms  ` +
        `rss before ${mb(before)}  peak ${mb(peak)} (+${mb(peak - before)})  ` +
        `records ${res.headers.get('x-export-records')}`,
    );
  }
  console.log(`process max RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`);
  client.destroy();
} finally {
  await stack.stop();
}
