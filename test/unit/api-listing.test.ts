/**
 * The instance list's `total` (one BatchGetItem of the stream-kept stats shards, or nothing),
 * the stats read (shards and the single item of earlier versions summed), and `page`
 * (a skip that counts index keys without reading items when the keys decide every filter).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  InstanceLister,
  coveredByKeys,
  normalizeQuery,
  planSources,
} from '../../shared/repo/listing.ts';
import { listInstancesQuerySchema } from '../../shared/domain/query.ts';
import {
  LEGACY_STATS_KEY,
  STATS_KEYS,
  STATS_SHARDS,
  StatsRepository,
  statsShardKey,
} from '../../shared/repo/stats.ts';
import { AppError } from '../../shared/domain/errors.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const noItems = { getMany: async () => [] };
const lister = new InstanceLister(client, 'instances', noItems, 'meta');
const query = (q: Record<string, string | undefined>) => listInstancesQuerySchema.parse(q);

const STATS = {
  pk: statsShardKey(3),
  total: 12,
  'status#active': 7,
  'status#pending': 2,
  'priority#high': 4,
  'cluster#h100': 5,
  'model#llama': 3,
};

afterEach(() => ddb.reset());
// Other files share this process (vitest.config.ts): take the stub off the client class.
afterAll(() => ddb.restore());

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
  ])('%j → %d from one BatchGetItem of the stats', async (q, want) => {
    // Prepare
    ddb.on(BatchGetCommand).resolves({ Responses: { meta: [STATS] } });
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
    ddb.on(BatchGetCommand).resolves({});
    expect(await lister.total(query({}))).toBe(0);
  });

  it('is never known without the meta table', async () => {
    const blind = new InstanceLister(client, 'instances', noItems);
    expect(await blind.total(query({}))).toBeUndefined();
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('StatsRepository.read', () => {
  const stats = new StatsRepository(client, 'meta');

  it('reads every shard and the single item of earlier versions in one BatchGetItem', async () => {
    ddb.on(BatchGetCommand).resolves({});
    await stats.read();
    const calls = ddb.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(1);
    const keys = calls[0]!.args[0].input.RequestItems!.meta!.Keys!.map((k) => k.pk);
    expect(keys).toEqual(STATS_KEYS);
    expect(new Set(keys).size).toBe(STATS_SHARDS + 1);
    expect(keys).toContain(LEGACY_STATS_KEY);
  });

  it('sums the old single item and several shards, negative shard counts included', async () => {
    // Prepare: 5 instances counted by an earlier version; since then two created on shard
    // 1, one on shard 2, and one of the old ones (cluster a, active) deleted on shard 4.
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        meta: [
          { pk: LEGACY_STATS_KEY, total: 5, 'status#active': 5, 'cluster#a': 5, 'model#m': 5 },
          { pk: statsShardKey(1), total: 2, 'status#pending': 2, 'cluster#b': 2, 'model#m': 2 },
          { pk: statsShardKey(2), total: 1, 'status#active': 1, 'cluster#a': 1, 'model#n': 1 },
          { pk: statsShardKey(4), total: -1, 'status#active': -1, 'cluster#a': -1, 'model#m': -1 },
        ],
      },
    });
    // Act
    const view = await stats.read();
    // Assess
    expect(view).toEqual({
      total: 7,
      by_status: { active: 5, pending: 2 },
      by_priority: {},
      by_cluster: { a: 5, b: 2 },
      by_model: { m: 6, n: 1 },
    });
  });

  it('leaves out a count that the shards bring to zero', async () => {
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        meta: [
          { pk: LEGACY_STATS_KEY, total: 1, 'cluster#gone': 1 },
          { pk: statsShardKey(9), total: -1, 'cluster#gone': -1 },
        ],
      },
    });
    expect((await stats.read()).by_cluster).toEqual({});
  });

  it('puts all changes of one instance on one shard, spread over all of them', () => {
    expect(statsShardKey(42)).toBe(statsShardKey(42));
    const used = new Set(Array.from({ length: 1000 }, (_, i) => statsShardKey(i + 1)));
    expect(used.size).toBe(STATS_SHARDS);
    expect(STATS_KEYS).toEqual(expect.arrayContaining([...used]));
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

  it('skips covered entries of one partition with COUNT queries and reads only the page', async () => {
    // Prepare: 2 × 1000 keys counted, then the page's keys.
    const key = (n: number) => ({ id: n, status: 'active', created_at: `t${n}` });
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
    await reader.list(query({ page: '3', limit: '1000', status: 'active' }));
    // Assess
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.slice(0, 2).map((q) => [q.Select, q.Limit])).toEqual([
      ['COUNT', 2000],
      ['COUNT', 1000],
    ]);
    expect(queries[2]!.ExclusiveStartKey).toEqual(key(2000));
    expect(seen).toEqual([[2001, 2002]]); // no skipped instance was read
  });

  it('passes covered entries of the sharded index key by key, reading only the page', async () => {
    // Prepare: shard I#1 holds t1, t3, t5, shard I#2 holds t2, t4, t6; the rest are empty.
    const key = (n: number) => ({ id: n, list_pk: `I#${n % 2 ? 1 : 2}`, created_at: `t${n}` });
    ddb.on(QueryCommand).resolves({ Items: [] });
    for (const [pk, ids] of [
      ['I#1', [1, 3, 5]],
      ['I#2', [2, 4, 6]],
    ] as const) {
      ddb
        .on(QueryCommand, { ExpressionAttributeValues: { ':pk': pk } })
        .resolves({ Items: ids.map(key) });
    }
    const seen: number[][] = [];
    const reader = new InstanceLister(client, 'instances', {
      getMany: async (ids: readonly number[]) => {
        seen.push([...ids]);
        return [];
      },
    });
    // Act: page 2 of 2, oldest first
    await reader.list(query({ page: '2', limit: '2', sort_order: 'asc' }));
    // Assess: no COUNT, and no skipped instance (t1, t2) was read; the page starts at t3
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.every((q) => q.Select === undefined)).toBe(true);
    expect(new Set(queries.map((q) => q.ExpressionAttributeValues![':pk'])).size).toBe(17);
    expect(seen[0]!.slice(0, 2)).toEqual([3, 4]);
    expect(seen.flat()).not.toContain(1);
    expect(seen.flat()).not.toContain(2);
  });
});
