/**
 * A bulk-delete by filter re-checks the filter when an item's turn comes, like bulk-update: an
 * instance changed so that it no longer matches since the operation was accepted is skipped,
 * not deleted.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createInstanceSchema } from '../../shared/domain/instance.ts';
import { BulkExecutor, type ChunkContext } from '../../shared/ops/bulk.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { toItem } from '../../shared/repo/items.ts';
import type { OperationFilter } from '../../shared/ops/model.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const repo = new InstanceRepository(client, { instances: 'instances', meta: 'meta' });
const bulk = new BulkExecutor(client, repo, 'history');

const stored = (status: 'active' | 'inactive') =>
  toItem(
    {
      ...createInstanceSchema.parse({
        name: 'gpu-a',
        model_name: 'm',
        cluster_name: 'c',
        image_tag: 'i',
        status,
      }),
      id: 7,
      version: 2,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      created_by: 'alice',
      updated_by: 'bob',
    },
    'update',
    { actor: 'bob', opId: 'req-2' },
  );

// The chunk began after the instance's last change, so no history look-up is involved.
const ctx = (filter?: OperationFilter['query']): ChunkContext => ({
  operationId: 'op-1',
  actor: 'alice',
  since: '2026-02-01T00:00:00.000Z',
  ...(filter ? { filter } : {}),
});
const activeOnly = { status: ['active'] } as unknown as OperationFilter['query'];

afterEach(() => ddb.reset());
// Other files share this process (vitest.config.ts): take the stub off the client class.
afterAll(() => ddb.restore());

describe('BulkExecutor.delete with a filter', () => {
  it('skips an instance that no longer matches the filter, leaving it in place', async () => {
    // Prepare: accepted while active; someone set it inactive before its turn.
    ddb.on(GetCommand).resolves({ Item: stored('inactive') });
    ddb.on(TransactWriteCommand).resolves({});
    // Act
    const outcome = await bulk.delete(7, ctx(activeOnly));
    // Assess
    expect(outcome).toEqual({ id: 7, status: 'skipped' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('deletes an instance that still matches', async () => {
    ddb.on(GetCommand).resolves({ Item: stored('active') });
    ddb.on(TransactWriteCommand).resolves({});
    const outcome = await bulk.delete(7, ctx(activeOnly));
    expect(outcome).toEqual({ id: 7, status: 'deleted' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('deletes by id list (no filter) whatever the instance looks like', async () => {
    ddb.on(GetCommand).resolves({ Item: stored('inactive') });
    ddb.on(TransactWriteCommand).resolves({});
    const outcome = await bulk.delete(7, ctx());
    expect(outcome.status).toBe('deleted');
  });
});
