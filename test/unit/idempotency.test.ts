/** IdempotencyStore on its conflict paths (mocked DynamoDB). */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyStore } from '../../shared/repo/idempotency.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new IdempotencyStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  'meta',
  () => 1_000_000,
);
const taken = () => new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });

afterEach(() => ddb.reset());
// Other files share this process (vitest.config.ts): take the stub off the client class.
afterAll(() => ddb.restore());

describe('IdempotencyStore.begin', () => {
  it('claims a new key with a conditional put', async () => {
    ddb.on(PutCommand).resolves({});
    expect(await store.begin('k', 'h')).toEqual({ state: 'claimed' });
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.ConditionExpression).toContain(
      'attribute_not_exists(pk)',
    );
  });

  it('answers 409 while the first request is in progress', async () => {
    ddb.on(PutCommand).rejects(taken());
    ddb.on(GetCommand).resolves({
      Item: {
        pk: 'k',
        status: 'IN_PROGRESS',
        payload_hash: 'h',
        expires_at: 2000,
        in_progress_until: 1_000_500,
      },
    });
    await expect(store.begin('k', 'h')).rejects.toMatchObject({ status: 409 });
  });

  it('answers 422 for the same key with another payload', async () => {
    ddb.on(PutCommand).rejects(taken());
    ddb.on(GetCommand).resolves({
      Item: {
        pk: 'k',
        status: 'COMPLETED',
        payload_hash: 'other',
        expires_at: 2000,
        in_progress_until: 0,
        response: '{}',
      },
    });
    await expect(store.begin('k', 'h')).rejects.toMatchObject({ status: 422 });
  });

  it('replays a completed response', async () => {
    const response = { statusCode: 201, headers: { etag: '"1"' }, body: '{"id":1}' };
    ddb.on(PutCommand).rejects(taken());
    ddb.on(GetCommand).resolves({
      Item: {
        pk: 'k',
        status: 'COMPLETED',
        payload_hash: 'h',
        expires_at: 2000,
        in_progress_until: 0,
        response: JSON.stringify(response),
      },
    });
    expect(await store.begin('k', 'h')).toEqual({ state: 'replay', response });
  });
});
