/**
 * Cost of one list page of 100 with a single equality filter (`status=active`) at two table
 * sizes. Each size gets a fresh instances table (the deployed keys and indexes, no stream),
 * seeded directly with BatchWriteItem using the repository's stored item format; a fifth of
 * the instances are active. The page is read by the lister the list handler uses
 * (shared/repo/listing.ts) through an instrumented client.
 */
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tables } from '../shared/config/tables.ts';
import { createDocumentClient } from '../shared/aws/dynamo.ts';
import { listInstancesQuerySchema } from '../shared/domain/query.ts';
import { parseParams } from '../shared/domain/validation.ts';
import { InstanceRepository } from '../shared/repo/instances.ts';
import { InstanceLister } from '../shared/repo/listing.ts';
import { createTableInput } from '../infra/local/tables.ts';
import { LOCAL_AWS } from '../infra/local/dynamodb-local.ts';
import { batchWriteAll, RUN_TAG, seedItem } from './fixtures.ts';
import { sumCapacity, type CapacityCollector } from './capacity.ts';
import { round } from './stats.ts';

export interface ListCostResult {
  table_size: number;
  rcu_per_page: number;
  aws_rcu_per_page: number;
  items_on_page: number;
  seed_seconds: number;
  /** The calls of the page: e.g. one index Query + one BatchGetItem. */
  calls: { command: string; rcu: number }[];
}

/**
 * The instances table's keys and indexes, without its stream: nothing consumes these tables,
 * a stream does not change what a read costs, and DynamoDB Local writes ~5× slower with one.
 */
const { stream: _stream, ...WITHOUT_STREAM } = tables.instances;

async function seed(doc: DynamoDBDocumentClient, table: string, size: number): Promise<void> {
  const start = Date.parse('2024-01-01T00:00:00.000Z');
  const requests = Array.from({ length: size }, (_, i) => ({
    PutRequest: { Item: { ...seedItem(i + 1, i, new Date(start + i * 60_000).toISOString()) } },
  }));
  await batchWriteAll(doc, table, requests);
}

export async function measureListCost(
  endpoint: string,
  sizes: readonly number[],
  collector: CapacityCollector,
  log: (msg: string) => void,
): Promise<ListCostResult[]> {
  const admin = new DynamoDBClient({ endpoint, ...LOCAL_AWS });
  const raw = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, ...LOCAL_AWS }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const out: ListCostResult[] = [];
  try {
    for (const size of sizes) {
      const table = `bench-list-${size}-${RUN_TAG}`;
      await admin.send(new CreateTableCommand(createTableInput(WITHOUT_STREAM, table)));
      const t0 = performance.now();
      await seed(raw, table, size);
      const seedSeconds = (performance.now() - t0) / 1000;

      // The same client setup a handler gets (createDocumentClient), instrumented.
      const base = new DynamoDBClient({ endpoint, ...LOCAL_AWS });
      collector.instrument(base, 'bench/list-cost');
      const doc = createDocumentClient(base);
      collector.nameTable(table, `instances (${size})`);
      const lister = new InstanceLister(
        doc,
        table,
        new InstanceRepository(doc, { instances: table }),
      );
      const query = parseParams(listInstancesQuerySchema, { status: 'active' });
      collector.take();
      collector.enabled = true;
      let page;
      try {
        page = await lister.list(query);
      } finally {
        collector.enabled = false;
      }
      const records = collector.take().filter((r) => r.table === `instances (${size})`);
      const sum = sumCapacity(records);
      out.push({
        table_size: size,
        rcu_per_page: round(sum.rcu),
        aws_rcu_per_page: round(sum.awsRcu),
        items_on_page: page.items.length,
        seed_seconds: round(seedSeconds, 1),
        calls: records.map((r) => ({ command: r.command, rcu: r.units })),
      });
      log(
        `  ${size} instances (seeded in ${seedSeconds.toFixed(1)} s): ${round(sum.rcu)} RCU for ${page.items.length} items`,
      );
      doc.destroy();
      await admin.send(new DeleteTableCommand({ TableName: table }));
    }
  } finally {
    admin.destroy();
    raw.destroy();
  }
  return out;
}
