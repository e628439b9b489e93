/**
 * Fills the local stack's instances table fast: BatchWriteItem of the repository's stored item
 * format (bench/fixtures.ts `seedItem`) straight into DynamoDB Local, the name claims into the
 * meta table and the id counter past the last id. The table's stream carries every insert to
 * the history writer, which writes the `create` history records and keeps the stats counters:
 * `waitForTotal` waits until GET /api/instances/stats says the whole table is counted.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { INSTANCE_COUNTER_KEY } from '../../shared/repo/instances.ts';
import type { TableName } from '../../shared/config/tables.ts';
import { batchWriteAll, seedItem, type PutRequest } from '../fixtures.ts';
import { sleep } from '../stats.ts';

/** Created one minute apart, ending now-ish: the table's default sort (newest first) is stable. */
const START = Date.parse('2025-01-01T00:00:00.000Z');

/** Instances `from + 1 … to` (ids and names), as if created one by one. */
export async function seedInstances(
  endpoint: string,
  tables: Record<TableName, string>,
  from: number,
  to: number,
): Promise<void> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, ...LOCAL_AWS }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  try {
    const items: PutRequest[] = [];
    const claims: PutRequest[] = [];
    for (let i = from; i < to; i++) {
      const item = seedItem(i + 1, i, new Date(START + i * 60_000).toISOString());
      items.push({ PutRequest: { Item: { ...item } } });
      claims.push({ PutRequest: { Item: { pk: item.name_claim, instance_id: item.id } } });
    }
    await batchWriteAll(doc, tables.meta, claims);
    await batchWriteAll(doc, tables.instances, items);
    await doc.send(
      new PutCommand({ TableName: tables.meta, Item: { pk: INSTANCE_COUNTER_KEY, value: to } }),
    );
  } finally {
    doc.destroy();
  }
}

/** Waits until the stats counters (kept by the history writer from the stream) count `total`. */
export async function waitForTotal(apiUrl: string, total: number, timeoutMs: number) {
  const t0 = performance.now();
  for (;;) {
    const res = await fetch(`${apiUrl}/api/instances/stats`);
    const stats = (await res.json()) as { total: number };
    if (stats.total === total) return (performance.now() - t0) / 1000;
    if (stats.total > total) throw new Error(`stats total ${stats.total} > ${total}`);
    if (performance.now() - t0 > timeoutMs)
      throw new Error(`stats total ${stats.total} after ${timeoutMs} ms, expected ${total}`);
    await sleep(250);
  }
}
