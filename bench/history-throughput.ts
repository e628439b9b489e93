/**
 * `npm run bench:history` (issue #14, hot keys): history throughput and transaction conflicts
 * of the HistoryWriter at local stream parallelism 1, 2 and 4.
 *
 * For each parallelism: a fresh in-memory local stack; the real history handler (as
 * functions/stream/history-writer.ts composes it) behind a gate, on a client that counts
 * DynamoDB calls and TransactionConflict cancellations; `--records` creates (each moves the
 * stats) are written while the gate is shut, then it opens and the clock runs until every
 * record is in the history table. The Broadcaster is a no-op, so only history writing is timed.
 *
 *   npm run bench:history                          1,000 creates at parallelism 1, 2, 4
 *   npm run bench:history -- --records 400 --parallelism 1,4
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { startLocalStack, type LocalStack } from '../infra/local/stack.ts';
import { LOCAL_AWS } from '../infra/local/dynamodb-local.ts';
import { createDocumentClient } from '../shared/aws/dynamo.ts';
import { InstanceRepository } from '../shared/repo/instances.ts';
import { createInstanceSchema } from '../shared/domain/instance.ts';
import { historyHandler } from '../test/support/history-handler.ts';
import { sleep } from './stats.ts';

export interface ThroughputRow {
  parallelism: number;
  records: number;
  seconds: number;
  records_per_s: number;
  transactions: number;
  conflicts: number;
  counter_updates: number;
  stats_total: number;
}

/** Counts the calls of a client: transactions, TransactionConflict cancellations, counter ADDs. */
function countingClient(endpoint: string) {
  const counts = { transactions: 0, conflicts: 0, counterUpdates: 0 };
  const client = createDocumentClient(new DynamoDBClient({ endpoint, ...LOCAL_AWS }));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      if (/^TransactWrite/.test(command)) counts.transactions++;
      if (/^Update/.test(command)) counts.counterUpdates++;
      try {
        return await next(args);
      } catch (err) {
        const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if (reasons?.some((r) => r.Code === 'TransactionConflict')) counts.conflicts++;
        throw err;
      }
    },
    { step: 'initialize', name: 'count-history-calls' },
  );
  return { client, counts };
}

async function scanCount(
  doc: DynamoDBDocumentClient,
  table: string,
  filter?: Partial<ConstructorParameters<typeof ScanCommand>[0]>,
): Promise<{ count: number; items: Record<string, unknown>[] }> {
  let count = 0;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ...filter }),
    );
    count += res.Count ?? 0;
    items.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return { count, items };
}

/** Sum of `total` over every stats item (one item, or shards): what the stream counted. */
async function statsTotal(doc: DynamoDBDocumentClient, meta: string): Promise<number> {
  const { items } = await scanCount(doc, meta, {
    FilterExpression: 'begins_with(pk, :s)',
    ExpressionAttributeValues: { ':s': 'STATS#instances' },
  });
  return items.reduce((n, i) => n + Number(i.total ?? 0), 0);
}

export async function measureHistoryThroughput(
  parallelism: number,
  records: number,
): Promise<ThroughputRow> {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let writer: ((e: DynamoDBStreamEvent, c: Context) => Promise<DynamoDBBatchResponse>) | undefined;
  let counting: ReturnType<typeof countingClient> | undefined;
  const stack: LocalStack = await startLocalStack({
    port: 0,
    streamParallelism: parallelism,
    streamPollMs: 50,
    // A fixed interval: the figures stay comparable with runs before the idle backoff.
    streamIdleMs: 50,
    streamHandlers: {
      HistoryWriter: async (e, c) => {
        await gate;
        if (!writer) {
          counting = countingClient(stack.dynamodbEndpoint);
          writer = historyHandler(counting.client, stack.tableNames);
        }
        return writer(e, c);
      },
      Broadcaster: async () => ({ batchItemFailures: [] }),
    },
  });
  try {
    const doc = createDocumentClient(
      new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, ...LOCAL_AWS }),
    );
    const repo = new InstanceRepository(doc, stack.tableNames);
    const meta = { actor: 'bench', opId: 'bench-history' };
    const clusters = ['c-a', 'c-b', 'c-c', 'c-d'];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < records) {
          const i = next++;
          const input = createInstanceSchema.parse({
            name: `bench-${i}`,
            model_name: `m-${i % 5}`,
            cluster_name: clusters[i % 4],
            image_tag: 't',
          });
          await repo.create(input, meta);
        }
      }),
    );
    // Let the poller read the stream up to the last write before the clock starts.
    await sleep(500);
    const t0 = performance.now();
    open();
    let written = 0;
    const deadline = Date.now() + 300_000;
    while (
      (written = (await scanCount(doc, stack.tableNames.history, { Select: 'COUNT' })).count) <
      records
    ) {
      if (Date.now() > deadline) throw new Error(`history stalled at ${written}/${records}`);
      await sleep(20);
    }
    const seconds = (performance.now() - t0) / 1000;
    const total = await statsTotal(doc, stack.tableNames.meta);
    const c = counting!.counts;
    return {
      parallelism,
      records,
      seconds: Math.round(seconds * 100) / 100,
      records_per_s: Math.round(records / seconds),
      transactions: c.transactions,
      conflicts: c.conflicts,
      counter_updates: c.counterUpdates,
      stats_total: total,
    };
  } finally {
    open();
    await stack.stop();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '1000' },
      parallelism: { type: 'string', default: '1,2,4' },
    },
  });
  const records = Number(values.records);
  const levels = values.parallelism.split(',').map(Number);
  const rows: ThroughputRow[] = [];
  const loadBefore = loadavg()[0]!;
  for (const p of levels) {
    rows.push(await measureHistoryThroughput(p, records));
    console.error(JSON.stringify(rows.at(-1)));
  }
  const head = [
    'parallelism',
    'records',
    'seconds',
    'records/s',
    'transactions',
    'conflicts',
    'counter ADDs',
    'stats total',
  ];
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| ${head.map(() => '---:').join(' | ')} |`);
  for (const r of rows) {
    console.log(
      `| ${[r.parallelism, r.records, r.seconds, r.records_per_s, r.transactions, r.conflicts, r.counter_updates, r.stats_total].join(' | ')} |`,
    );
  }
  console.log(
    `load average (1 min): ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`,
  );
  const wrong = rows.filter((r) => r.stats_total !== r.records);
  if (wrong.length > 0) {
    console.error('stats total differs from the records written');
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
