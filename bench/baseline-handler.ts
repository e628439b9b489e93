/**
 * The benchmark's baseline Lambda: a DynamoDB document client created at module scope and one
 * GetItem per call, nothing else. Bundled with the same esbuild settings as every function, it
 * is the yardstick for bundle size and cold init (issue #6 budgets).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const tableName = process.env.INSTANCES_TABLE ?? 'instances';

export const handler = async (event: { id?: number }) => {
  const res = await client.send(
    new GetCommand({ TableName: tableName, Key: { id: event.id ?? 1 } }),
  );
  return { statusCode: res.Item ? 200 : 404, body: JSON.stringify(res.Item ?? null) };
};
