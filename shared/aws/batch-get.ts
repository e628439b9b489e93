import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

import { mapBounded } from './concurrency.ts';

type Key = Record<string, unknown>;

/** BatchGetItem calls in flight at once for one read of many keys. */
const CONCURRENT_CALLS = 4;

/**
 * BatchGetItem for any number of keys: 100 keys per call (DynamoDB's limit), up to
 * CONCURRENT_CALLS calls at once (a list page of 200 rows, or a filtered walk that hydrates
 * 1,000 keys, waits for one round trip instead of 2–10), unprocessed keys retried with
 * exponential backoff and full jitter. Items come back in no particular order.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  table: string,
  keys: readonly Key[],
  /** Attributes to read instead of whole items (include the key attributes to match them up). */
  projection?: readonly string[],
): Promise<Key[]> {
  const names = projection && Object.fromEntries(projection.map((a, i) => [`#p${i}`, a]));
  const chunks: Key[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  const read = async (chunk: Key[]): Promise<Key[]> => {
    const out: Key[] = [];
    let pending: Key[] | undefined = chunk;
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 0)
        await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt) * Math.random()));
      const res: BatchGetCommandOutput = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: pending,
              ...(names
                ? {
                    ProjectionExpression: Object.keys(names).join(', '),
                    ExpressionAttributeNames: names,
                  }
                : {}),
            },
          },
        }),
      );
      out.push(...(res.Responses?.[table] ?? []));
      pending = res.UnprocessedKeys?.[table]?.Keys;
    }
    return out;
  };
  return (await mapBounded(chunks, CONCURRENT_CALLS, read)).flat();
}
