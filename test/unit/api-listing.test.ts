/**
 * The instance list's `total` (one GetItem of the stream-kept stats, or nothing) and `page`
 * (a skip that counts index keys without reading items when the keys decide every filter).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  InstanceLister,
  coveredByKeys,
  normalizeQuery,
  planSources,
} from '../../shared/repo/listing.ts';
import { listInstancesQuerySchema } from '../../shared/domain/query.ts';
import { STATS_KEY } from '../../shared/repo/history-writer.ts';
import { AppError } from '../../shared/domain/errors.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const noItems = { getMany: async () => [] };
const lister = new InstanceLister(client, 'instances', noItems, 'meta');
const query = (q: Record<string, string | undefined>) => listInstancesQuerySchema.parse(q);

const STATS = {
  pk: STATS_KEY,
  total: 12,
  'status#active': 7,
  'status#pending': 2,
  'priority#high': 4,
  'cluster#h100': 5,
  'model#llama': 3,
};

afterEach(() => ddb.reset());

describe('InstanceLister.total', () => {
  it.each([
    [{}, 12],
    [{ limit: '5', sort_by: 'name', page: '2' }, 12],
    [{ status: 'active' }, 7],
    [{ status: 'active,pending' }, 9],
    [{ priority: 'high' }, 4],
    [{ cluster: 'h100' }, 5],
    [{ cluster_name: 'h100' }, 5],
    [{ model_name: 'llama' }, 3],
    [{ model_name: 'nobody-runs-this' }, 0],
  ])('%j → %d from one GetItem of the stats', async (q, want) => {
    // Prepare
    ddb.on(GetCommand, { TableName: 'meta', Key: { pk: STATS_KEY } }).resolves({ Item: STATS });
    // Act
    const total = await lister.total(query(q));
    // Assess
    expect(total).toBe(want);
    expect(ddb.calls()).toHaveLength(1);
  });

  it.each([
    { status: 'active', cluster_name: 'h100' },
    { name: 'llama' },
    { search: 'llama' },
    { created_after: '2026-01-01' },
    { cluster_name: 'h100', created_before: '2026-01-01' },
  ])('%j → undefined, without reading anything', async (q) => {
    expect(await lister.total(query(q))).toBeUndefined();
    expect(ddb.calls()).toHaveLength(0);
  });

  it('is 0 on a fresh table (no stats item yet)', async () => {
    ddb.on(GetCommand).resolves({});
    expect(await lister.total(query({}))).toBe(0);
  });

  it('is never known without the meta table', async () => {
    const blind = new InstanceLister(client, 'instances', noItems);
    expect(await blind.total(query({}))).toBeUndefined();
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('page', () => {
  it('becomes skip = (page - 1) × limit', () => {
    expect(normalizeQuery(query({ page: '3', limit: '20' })).skip).toBe(40);
    expect(normalizeQuery(query({ page: '1' })).skip).toBeUndefined();
  });

  it.each([{ page: '2', skip: '1' }, { page: '2', cursor: 'abc' }, { page: '1002' }])(
    '%j is a 400',
    (q) => {
      expect(() => normalizeQuery(query(q))).toThrow(AppError);
    },
  );

  it.each([
    [{}, true],
    [{ status: 'active' }, true],
    [{ cluster_name: 'h100', created_after: '2026-01-01' }, true],
    [{ sort_by: 'status', status: 'active,pending' }, true],
    [{ status: 'active,pending' }, false],
    [{ status: 'active', priority: 'high' }, false],
    [{ cluster_name: 'h100', sort_by: 'name' }, false],
    [{ created_after: '2026-01-01', sort_by: 'updated_at' }, false],
    [{ search: 'x' }, false],
  ])('coveredByKeys(%j) = %s', (q, covered) => {
    const n = normalizeQuery(query(q));
    expect(coveredByKeys(n, planSources(n))).toBe(covered);
  });

  it('skips covered entries with COUNT queries and reads only the page', async () => {
    // Prepare: 2 × 1000 keys counted, then the page's keys.
    const key = (n: number) => ({ id: n, list_pk: 'I', created_at: `t${n}` });
    ddb
      .on(QueryCommand, { Select: 'COUNT' })
      .resolvesOnce({ Count: 1000, LastEvaluatedKey: key(1000) })
      .resolvesOnce({ Count: 1000, LastEvaluatedKey: key(2000) });
    ddb.on(QueryCommand, { Select: undefined }).resolves({ Items: [key(2001), key(2002)] });
    const seen: number[][] = [];
    const reader = new InstanceLister(
      client,
      'instances',
      {
        getMany: async (ids: readonly number[]) => {
          seen.push([...ids]);
          return [];
        },
      },
      'meta',
    );
    // Act
    await reader.list(query({ page: '3', limit: '1000' }));
    // Assess
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.slice(0, 2).map((q) => [q.Select, q.Limit])).toEqual([
      ['COUNT', 2000],
      ['COUNT', 1000],
    ]);
    expect(queries[2]!.ExclusiveStartKey).toEqual(key(2000));
    expect(seen).toEqual([[2001, 2002]]); // no skipped instance was read
  });
});
