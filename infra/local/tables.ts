/** Creates the local tables from the same definitions the CDK stack deploys. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { tables, type TableDef, type TableName } from '../../shared/config/tables.ts';
import type { TableNames } from '../../shared/aws/dynamo.ts';

export const LOCAL_TABLE_PREFIX = 'inference-instances-';

/** One name per declared table: `<prefix><table>` (tests use their own prefixes). */
export const prefixedTableNames = (prefix: string): TableNames =>
  Object.fromEntries(Object.keys(tables).map((k) => [k, `${prefix}${k}`])) as TableNames;

export const localTableNames = (): TableNames => prefixedTableNames(LOCAL_TABLE_PREFIX);

export function createTableInput(def: TableDef, tableName: string): CreateTableCommandInput {
  const attrs = new Map<string, AttributeDefinition>();
  const add = (k: { name: string; type: 'S' | 'N' }) =>
    attrs.set(k.name, { AttributeName: k.name, AttributeType: k.type });
  add(def.partitionKey);
  if (def.sortKey) add(def.sortKey);
  for (const i of def.indexes) {
    add(i.partitionKey);
    add(i.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs.values()],
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    ...(def.indexes.length
      ? {
          GlobalSecondaryIndexes: def.indexes.map((i) => ({
            IndexName: i.name,
            KeySchema: [
              { AttributeName: i.partitionKey.name, KeyType: 'HASH' as const },
              { AttributeName: i.sortKey.name, KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: i.projection },
          })),
        }
      : {}),
    ...(def.stream
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } }
      : {}),
  };
}

/**
 * A data folder from an older version lacks indexes declared since: they are added (and
 * DynamoDB backfills them from the items already there), as a CloudFormation update would.
 */
async function addMissingIndexes(client: DynamoDBClient, def: TableDef, name: string) {
  const desc = await client.send(new DescribeTableCommand({ TableName: name }));
  const have = new Set((desc.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const input = createTableInput(def, name);
  for (const index of input.GlobalSecondaryIndexes ?? []) {
    if (have.has(index.IndexName)) continue;
    const keys = new Set(index.KeySchema!.map((k) => k.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: input.AttributeDefinitions!.filter((a) => keys.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    // Backfilling: the index answers queries once it is ACTIVE.
    for (const deadline = Date.now() + 120_000; ;) {
      const now = await client.send(new DescribeTableCommand({ TableName: name }));
      const status = now.Table?.GlobalSecondaryIndexes?.find(
        (i) => i.IndexName === index.IndexName,
      )?.IndexStatus;
      if (status === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`index ${index.IndexName} of ${name}: ${status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`[tables] ${name}: index ${index.IndexName} added`);
  }
}

/** Creates every table that does not exist yet; returns their stream ARNs. */
export async function ensureTables(
  client: DynamoDBClient,
  names: TableNames,
): Promise<Partial<Record<TableName, string>>> {
  const streams: Partial<Record<TableName, string>> = {};
  for (const [key, def] of Object.entries(tables) as [TableName, TableDef][]) {
    const name = names[key];
    try {
      await client.send(new CreateTableCommand(createTableInput(def, name)));
      if (def.ttlAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { Enabled: true, AttributeName: def.ttlAttribute },
          }),
        );
      }
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
      await addMissingIndexes(client, def, name);
    }
    const desc = await client.send(new DescribeTableCommand({ TableName: name }));
    if (desc.Table?.LatestStreamArn) streams[key] = desc.Table.LatestStreamArn;
  }
  return streams;
}
