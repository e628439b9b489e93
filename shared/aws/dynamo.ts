import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableName } from '../config/tables.ts';
import { TABLE_ENV } from '../config/table-env.ts';
import { requireEnv } from './env.ts';

/**
 * One document client per execution environment. The endpoint comes from the SDK's own
 * `AWS_ENDPOINT_URL_DYNAMODB` variable, so the local stack changes configuration, not code.
 */
export function createDocumentClient(client = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    // convertClassInstanceToMap: the marshaller tells a plain object by `value.constructor.name`,
    // so an `envs` map with its own key "constructor" (a valid env name) would be refused.
    // Nothing here stores class instances, so treating every object as a map loses nothing.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
}

export type TableNames = Record<TableName, string>;

/** Table names from the environment variables the CDK `bindTable` helper sets. */
export function tableNamesFromEnv<T extends TableName>(...names: T[]): Pick<TableNames, T> {
  const out = {} as Pick<TableNames, T>;
  for (const n of names) out[n] = requireEnv(TABLE_ENV[n]);
  return out;
}
