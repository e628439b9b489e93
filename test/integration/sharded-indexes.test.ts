/**
 * The sharded index keys, read back on DynamoDB Local: instances and history records are
 * spread over every shard of `list_pk` / `h_pk` / `day`, and some still carry the unsharded
 * value an earlier version wrote (`I`, `H`, `<day>`). Every read path that merges the shards —
 * the instance list in each sort with cursors and pages, history search by id and by day, the
 * WebSocket replay, the export walks and the point reads — must return each item exactly once,
 * in order. Tables of this file's own, so no other file's data is in the merge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, type TableNames } from '../../shared/aws/dynamo.ts';
import { batchWriteAll } from '../../bench/fixtures.ts';
import { ensureTables, prefixedTableNames } from '../../infra/local/tables.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { HISTORY_SHARDS, INSTANCE_LIST_SHARDS } from '../../shared/config/tables.ts';
import { toItem } from '../../shared/repo/items.ts';
import { historyItem } from '../../shared/repo/history-writer.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { InstanceLister } from '../../shared/repo/listing.ts';
import { HistorySearchReader } from '../../shared/repo/history-search.ts';
import { HistoryTable } from '../../shared/repo/history-table.ts';
import { HistoryExportSource } from '../../shared/ops/export-source.ts';
import { ReplayReader } from '../../shared/ws/replay.ts';
import { listInstancesQuerySchema } from '../../shared/domain/query.ts';
import { historySearchQuerySchema } from '../../shared/domain/history-search-query.ts';
import type { HistoryRecord } from '../../shared/domain/history.ts';
import type { Instance } from '../../shared/domain/instance.ts';
import { anInstance } from '../support/instance-fixture.ts';
import { stack } from '../support/api.ts';

const INSTANCES = 150;
const RECORDS = 200;
/** Records and instances with an id below this keep the value written before the shards. */
const LEGACY_BELOW = 40;
const DAY = '2026-03-04';

let admin: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let names: TableNames;

/** Three instances share each creation time, so ties span shards and the unsharded value. */
const instanceAt = (id: number): Instance =>
  anInstance({
    id,
    name: `shard-${String(id).padStart(3, '0')}`,
    created_at: new Date(
      Date.parse('2026-03-04T00:00:00Z') + Math.floor(id / 3) * 1000,
    ).toISOString(),
    updated_at: `2026-03-05T00:00:00.${String(INSTANCES - id).padStart(3, '0')}Z`,
    status: id % 4 === 0 ? 'inactive' : 'active',
  });

const recordAt = (history_id: number): HistoryRecord => ({
  history_id,
  instance_id: 1 + (history_id % 7),
  original_id: 1 + (history_id % 7),
  version: history_id,
  operation_type: 'update',
  // Two records a second; the first 100 on DAY, the rest the day after.
  operation_timestamp: new Date(
    Date.parse(`${DAY}T23:59:10.000Z`) + history_id * 500,
  ).toISOString(),
  actor: 'tester',
  changed_fields: ['replicas'],
  changes: { replicas: { old: 1, new: 2 } },
  snapshot: { id: 1 + (history_id % 7) },
  batch_id: `b${history_id}`,
});

beforeAll(async () => {
  admin = new DynamoDBClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
  doc = createDocumentClient(admin);
  names = prefixedTableNames(`shard${randomUUID().slice(0, 8)}-`);
  await ensureTables(admin, names);
  const instances = Array.from({ length: INSTANCES }, (_, i) => {
    const item: Record<string, unknown> = {
      ...toItem(instanceAt(i + 1), 'create', { actor: 'tester', opId: 'seed' }),
    };
    if (i + 1 < LEGACY_BELOW) item.list_pk = 'I';
    return item;
  });
  const records = Array.from({ length: RECORDS }, (_, i) => {
    const item = historyItem(recordAt(i + 1), 1_000 + i);
    if (i + 1 < LEGACY_BELOW) {
      item.h_pk = 'H';
      item.day = (item.day as string).slice(0, 10);
    }
    return item;
  });
  const puts = (items: Record<string, unknown>[]) =>
    items.map((Item) => ({ PutRequest: { Item } }));
  await batchWriteAll(doc, names.instances, puts(instances));
  await batchWriteAll(doc, names.history, puts(records));
}, 60_000);

afterAll(async () => {
  for (const table of Object.values(names ?? {})) {
    await admin?.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  }
});

describe('the seed', () => {
  it('spreads items over every shard and the unsharded value', () => {
    const pks = new Set(
      Array.from({ length: INSTANCES }, (_, i) =>
        i + 1 < LEGACY_BELOW
          ? 'I'
          : toItem(instanceAt(i + 1), 'create', { actor: 'a', opId: 'o' }).list_pk,
      ),
    );
    expect(pks.size).toBe(INSTANCE_LIST_SHARDS + 1);
    const hpks = new Set(
      Array.from({ length: RECORDS }, (_, i) =>
        i + 1 < LEGACY_BELOW ? 'H' : historyItem(recordAt(i + 1)).h_pk,
      ),
    );
    expect(hpks.size).toBe(HISTORY_SHARDS + 1);
  });
});

describe('instance list over the sharded list_pk', () => {
  const lister = () =>
    new InstanceLister(doc, names.instances, new InstanceRepository(doc, names), undefined);
  const list = (q: Record<string, string>) => lister().list(listInstancesQuerySchema.parse(q));

  async function walk(q: Record<string, string>): Promise<Instance[]> {
    const out: Instance[] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ ...q, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(Number(q.limit));
      out.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }

  it.each([
    ['created_at', 'asc'],
    ['created_at', 'desc'],
    ['updated_at', 'desc'],
    ['name', 'asc'],
  ] as const)('by %s %s: every instance once, in order, across pages of 7', async (by, order) => {
    const items = await walk({ sort_by: by, sort_order: order, limit: '7' });
    expect(items.map((i) => i.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: INSTANCES }, (_, i) => i + 1),
    );
    const field = (i: Instance) => (by === 'name' ? i.name : i[by]);
    const sorted = [...items].sort((a, b) =>
      field(a) === field(b) ? 0 : field(a) < field(b) === (order === 'asc') ? -1 : 1,
    );
    expect(items.map(field)).toEqual(sorted.map(field));
  });

  it('answers page n with the entries a cursor walk puts there', async () => {
    const all = await walk({ limit: '9' });
    for (const page of [1, 2, 5, 17]) {
      const got = await list({ page: String(page), limit: '9' });
      expect(got.items.map((i) => i.id)).toEqual(
        all.slice((page - 1) * 9, page * 9).map((i) => i.id),
      );
    }
  });

  it('filters across the shards and says when the walk is over', async () => {
    const stopped = await walk({
      search: 'shard-',
      status: 'inactive',
      sort_by: 'name',
      sort_order: 'asc',
      limit: '10',
    });
    expect(stopped.map((i) => i.id)).toEqual(
      Array.from({ length: INSTANCES }, (_, i) => i + 1).filter((id) => id % 4 === 0),
    );
    const last = await list({ sort_by: 'name', limit: String(INSTANCES) });
    expect([last.items.length, last.next_cursor]).toEqual([INSTANCES, null]);
  });

  it('refuses a cursor of the unsharded format with the usual 400', async () => {
    const old = Buffer.from(
      JSON.stringify({ v: 1, q: 'x', s: 0, k: { id: 1, list_pk: 'I', created_at: 't' } }),
    ).toString('base64url');
    await expect(list({ cursor: old })).rejects.toMatchObject({ status: 400 });
  });
});

describe('history over the sharded h_pk and day', () => {
  const ids = (records: readonly { history_id: number }[]) => records.map((r) => r.history_id);
  const newestFirst = Array.from({ length: RECORDS }, (_, i) => RECORDS - i);

  /** Every history_id a search returns, following its cursor to the end. */
  async function searchAll(q: Record<string, string>): Promise<number[]> {
    const reader = new HistorySearchReader(doc, names);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await reader.search(
        historySearchQuerySchema.parse({ ...q, ...(cursor ? { cursor } : {}) }),
      );
      seen.push(...ids(page.items));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return seen;
  }

  it('search without dates: every record once, newest first, across pages', async () => {
    expect(await searchAll({ limit: '13' })).toEqual(newestFirst);
  });

  it('search by dates: every record of the range once, newest first, across days', async () => {
    const range = { start_date: `${DAY}T00:00:00Z`, end_date: '2026-03-06T00:00:00Z' };
    expect(await searchAll({ ...range, limit: '11' })).toEqual(newestFirst);
  });

  it('point reads find records in their shard and in the unsharded partition', async () => {
    const table = new HistoryTable(doc, names.history);
    expect(await table.keyOf(5)).toEqual({ instance_id: 1 + (5 % 7), version: 5 });
    expect(await table.keyOf(123)).toEqual({ instance_id: 1 + (123 % 7), version: 123 });
    expect(await table.keyOf(RECORDS + 1)).toBeUndefined();
    expect(await table.newestId()).toBe(RECORDS);
    expect(await table.firstDay()).toBe('2026-03-03');
  });

  it('replays every record after an id, merged from all shards', async () => {
    const replay = new ReplayReader(doc, names.history);
    const from = { since: 30, fromPos: undefined };
    const got = await replay.after(from, ['instances'], 1_000);
    expect(ids(got)).toEqual(Array.from({ length: RECORDS - 30 }, (_, i) => 31 + i));
  });

  it('exports every record once, by id and by day, in walk order', async () => {
    const source = new HistoryExportSource(doc, names.history, async () => []);
    for (const scope of [
      {},
      { start_date: `${DAY}T00:00:00Z`, end_date: '2026-03-06T00:00:00Z' },
    ]) {
      const bound = await source.bound(scope, '2026-03-06T00:00:00.000Z');
      const seen: number[] = [];
      for await (const page of source.pages(scope, bound, source.start(scope, bound))) {
        seen.push(...ids(page.records));
      }
      expect(seen.sort((a, b) => a - b)).toEqual([...newestFirst].reverse());
    }
  });
});
