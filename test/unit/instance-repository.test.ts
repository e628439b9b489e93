/** InstanceRepository and the HTTP envelope on AWS failure paths (mocked DynamoDB). */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { AppError } from '../../shared/domain/errors.ts';
import { createInstanceSchema } from '../../shared/domain/instance.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const repo = new InstanceRepository(client, { instances: 'instances', meta: 'meta' });
const meta = { actor: 'alice', opId: 'req-1' };

const stored = (version: number) => ({
  ...createInstanceSchema.parse({ name: 'a', model_name: 'm', cluster_name: 'c', image_tag: 'i' }),
  id: 7,
  version,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  created_by: 'alice',
  updated_by: 'alice',
  name_lower: 'a',
  list_pk: 'I',
  _op: 'create',
  _op_id: 'r0',
});

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'condition failed', $metadata: {} });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

afterEach(() => ddb.reset());
// Other files share this process (vitest.config.ts): take the stub off the client class.
afterAll(() => ddb.restore());

describe('InstanceRepository.create', () => {
  it('maps a cancelled name claim to 409 Conflict', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 7 } });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    // Act
    const err = await caught(
      repo.create(
        createInstanceSchema.parse({
          name: 'Dup',
          model_name: 'm',
          cluster_name: 'c',
          image_tag: 'i',
        }),
        meta,
      ),
    );
    // Assess
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(409);
    expect(err.details).toEqual({ name: 'Dup' });
  });

  it('writes the instance and its name claims in one transaction', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { value: 8 } });
    ddb.on(TransactWriteCommand).resolves({});
    const created = await repo.create(
      createInstanceSchema.parse({
        name: 'MiXed',
        model_name: 'm',
        cluster_name: 'c',
        image_tag: 'i',
      }),
      meta,
    );
    expect(created.id).toBe(8);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(3);
    // The claim keys are skeletons (`m` looks like `rn`) of the case-folded name and of the
    // name as written.
    expect(items[1]!.Put!.Item).toEqual({ pk: 'NAME#rnixed', instance_id: 8 });
    expect(items[2]!.Put!.Item).toEqual({ pk: 'NAME#MiXed', instance_id: 8 });
    for (const claim of items.slice(1))
      expect(claim.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
  });
});

describe('InstanceRepository.update', () => {
  it('answers 412 when If-Match loses the race to another writer', async () => {
    ddb.on(GetCommand).resolves({ Item: stored(3) });
    ddb.on(PutCommand).rejects(conditionFailed());
    const err = await caught(repo.update(7, { replicas: 2 }, meta, 3));
    expect(err.status).toBe(412);
  });

  it('retries a blind update on a fresh read after a lost race', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: stored(3) })
      .resolves({ Item: stored(4) });
    ddb.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});
    const result = await repo.update(7, { replicas: 2 }, meta);
    expect(result.instance.version).toBe(5);
    // A one-item change is a conditional Put (half the WCU of a one-item transaction).
    const puts = ddb.commandCalls(PutCommand);
    expect(puts).toHaveLength(2);
    expect(puts[1]!.args[0].input.ConditionExpression).toContain('#version = :expected');
    expect(puts[1]!.args[0].input.ExpressionAttributeValues).toEqual({ ':expected': 4 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('maps a taken name on rename to 409', async () => {
    ddb.on(GetCommand).resolves({ Item: stored(1) });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed'));
    const err = await caught(repo.update(7, { name: 'taken' }, meta));
    expect(err.status).toBe(409);
  });

  it('lets DynamoDB throttling through for the envelope to turn into 429', async () => {
    ddb
      .on(GetCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const err = await caught(repo.update(7, { replicas: 2 }, meta));
    expect(err.name).toBe('ProvisionedThroughputExceededException');
  });

  it('writes nothing when the patch changes nothing', async () => {
    ddb.on(GetCommand).resolves({ Item: stored(2) });
    const result = await repo.update(7, { replicas: 1 }, meta);
    expect(result.changed).toBe(false);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});
