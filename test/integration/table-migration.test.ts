/**
 * A data folder from before an index was declared gets it on the next start: ensureTables adds
 * the missing index to the existing table, and DynamoDB Local backfills it from the items there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tables, HISTORY_INDEX } from '../../shared/config/tables.ts';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { createTableInput, ensureTables, prefixedTableNames } from '../../infra/local/tables.ts';
import {
  LOCAL_AWS,
  startDynamoDbLocal,
  type DynamoDbLocal,
} from '../../infra/local/dynamodb-local.ts';

/**
 * A database of its own: adding the index took ~1.4 s on a fresh DynamoDB Local and ~50 s on
 * the suite's shared one, full of other files' tables and items by then.
 */
let ddb: DynamoDbLocal;
beforeAll(async () => {
  ddb = await startDynamoDbLocal({});
}, 60_000);
afterAll(() => ddb?.stop());

describe('local tables from an older version', () => {
  it(
    'get the late-position index added, with the existing records in it',
    { timeout: 60_000 },
    async () => {
      // Prepare: the history table as an older version created it, without `byLatePosition`.
      const client = new DynamoDBClient({ endpoint: ddb.endpoint, ...LOCAL_AWS });
      const names = prefixedTableNames(`mig${randomUUID().slice(0, 8)}-`);
      const old = createTableInput(tables.history, names.history);
      old.GlobalSecondaryIndexes = old.GlobalSecondaryIndexes!.filter(
        (i) => i.IndexName !== HISTORY_INDEX.byLatePosition,
      );
      old.AttributeDefinitions = old.AttributeDefinitions!.filter(
        (a) => a.AttributeName !== 'late_pos',
      );
      await client.send(new CreateTableCommand(old));
      const doc = createDocumentClient(client);
      await doc.send(
        new PutCommand({
          TableName: names.history,
          Item: { instance_id: 7, version: 1, history_id: 1, h_pk: 'H', pos: 900, late_pos: 1_000 },
        }),
      );

      // Act
      await ensureTables(client, names);

      // Assess
      const desc = await client.send(new DescribeTableCommand({ TableName: names.history }));
      expect(desc.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
        tables.history.indexes.map((i) => i.name).sort(),
      );
      const found = await doc.send(
        new QueryCommand({
          TableName: names.history,
          IndexName: HISTORY_INDEX.byLatePosition,
          KeyConditionExpression: 'h_pk = :h AND late_pos >= :p',
          ExpressionAttributeValues: { ':h': 'H', ':p': 0 },
        }),
      );
      expect(found.Items).toEqual([{ instance_id: 7, version: 1, h_pk: 'H', late_pos: 1_000 }]);
    },
  );
});
