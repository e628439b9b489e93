/**
 * GET /api/history/search. Records of a far-away day are seeded straight into the history
 * table (stored form, ids far above the live counter) so counts are exact while other test
 * files write concurrently; live records come through the API and the stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { historyItem } from '../../shared/repo/history-writer.ts';
import { HistorySearchReader } from '../../shared/repo/history-search.ts';
import { HISTORY_INDEX, HISTORY_SHARDS } from '../../shared/config/tables.ts';
import { historySearchQuerySchema } from '../../shared/domain/history-search-query.ts';
import type { HistoryRecord } from '../../shared/domain/history.ts';
import { api, createInstance, eventually, stack, uniqueName } from '../support/api.ts';

type Rec = Record<string, any>;

let client: DynamoDBDocumentClient;
// A day of its own per run: 2001-01-01 + up to ~20 years, never today.
const day = new Date(Date.UTC(2001, 0, 1) + randomInt(0, 7000) * 86_400_000)
  .toISOString()
  .slice(0, 10);
const seedInstance = 800_000_000 + randomInt(0, 99_999_999);
const baseHistoryId = 10_000_000_000 + randomInt(0, 1_000_000) * 1000;
const marker = uniqueName('needle');

function seeded(i: number): HistoryRecord {
  const ts = `${day}T${String(i - 1).padStart(2, '0')}:00:00.000Z`; // i = 1..24
  return {
    history_id: baseHistoryId + i,
    instance_id: seedInstance,
    original_id: seedInstance,
    version: i,
    operation_type: i === 1 ? 'create' : 'update',
    operation_timestamp: ts,
    actor: i % 2 === 0 ? 'even-actor' : 'odd-actor',
    changed_fields: ['description'],
    changes: { description: { old: null, new: i % 5 === 0 ? `${marker}-${i}` : `plain-${i}` } },
    snapshot: { id: seedInstance, name: `seed-${i}` },
    batch_id: 'seed',
  };
}
const SEEDED = 24;

beforeAll(async () => {
  client = createDocumentClient(
    new DynamoDBClient({
      endpoint: stack().dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const items = Array.from({ length: SEEDED }, (_, i) => historyItem(seeded(i + 1)));
  for (let i = 0; i < items.length; i += 25) {
    await client.send(
      new BatchWriteCommand({
        RequestItems: {
          [stack().tables.history]: items
            .slice(i, i + 25)
            .map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  }
});

afterAll(() => client?.destroy());

const search = (q: string) => api('GET', `/api/history/search?${q}`);
/** A page of a search that must succeed: anything else fails with what the API said. */
const page = async (q: string) => {
  const res = await search(q);
  expect(res.status, `${q} -> ${JSON.stringify(res.body)}`).toBe(200);
  return res.body as { items: Rec[]; next_cursor: string | null };
};
const whole = (d: string) => `start_date=${d}T00:00:00.000Z&end_date=${d}T23:59:59.999Z&limit=1000`;

describe('GET /api/history/search, time-bounded', () => {
  it('returns exactly the records of the range, newest first', async () => {
    const res = await search(whole(day));
    expect(res.status).toBe(200);
    const mine = res.body.items.filter((r: Rec) => r.instance_id === seedInstance);
    expect(mine.map((r: Rec) => r.version)).toEqual(
      Array.from({ length: SEEDED }, (_, i) => SEEDED - i),
    );
    expect(res.body).toMatchObject({ has_more: false, next_cursor: null });
  });

  it('narrows to the hours asked for and filters by q, operation_type and instance_ids', async () => {
    const hours = `start_date=${day}T05:00:00.000Z&end_date=${day}T09:59:59.999Z&instance_ids=${seedInstance}`;
    expect((await search(hours)).body.items.map((r: Rec) => r.version)).toEqual([10, 9, 8, 7, 6]);
    const q = await search(`${whole(day)}&q=${marker.toUpperCase()}`);
    expect(q.body.items.map((r: Rec) => r.version)).toEqual([20, 15, 10, 5]);
    const actor = await search(`${whole(day)}&q=even-actor&instance_ids=${seedInstance}`);
    expect(actor.body.count).toBe(SEEDED / 2);
    const creates = await search(`${whole(day)}&operation_type=create`);
    expect(creates.body.items.map((r: Rec) => r.version)).toEqual([1]);
    const nobody = await search(`${whole(day)}&instance_ids=${seedInstance + 1}`);
    expect(nobody.body.items).toEqual([]);
  });

  it('walks every match once with cursors', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const res = await page(
        `${whole(day).replace('limit=1000', 'limit=5')}&instance_ids=${seedInstance}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.items.map((r: Rec) => r.version));
      cursor = res.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(Array.from({ length: SEEDED }, (_, i) => SEEDED - i));
  });

  it('reads only the days of the range, through the byDay index, never a Scan', async () => {
    // Prepare: a reader whose client records every command it sends
    const sent: { name: string; input: Rec }[] = [];
    const spy = {
      send: (cmd: { constructor: { name: string }; input: Rec }) => {
        sent.push({ name: cmd.constructor.name, input: cmd.input });
        return client.send(cmd as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const reader = new HistorySearchReader(spy, { history: stack().tables.history });
    const prev = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

    // Act: two days, the seeded one and the one before
    const page = await reader.search(
      historySearchQuerySchema.parse({
        start_date: `${prev}T12:00:00Z`,
        end_date: `${day}T23:59:59Z`,
        limit: '1000',
      }),
    );

    // Assess
    expect(page.items.filter((r) => r.instance_id === seedInstance)).toHaveLength(SEEDED);
    const queries = sent.filter((c) => c.name === 'QueryCommand');
    expect(sent.map((c) => c.name).filter((n) => n === 'ScanCommand')).toEqual([]);
    expect(queries.every((c) => c.input.IndexName === HISTORY_INDEX.byDay)).toBe(true);
    // Each day is read in its shards and in the unsharded partition of older records.
    const partitions = (d: string) => [
      d,
      ...Array.from({ length: HISTORY_SHARDS }, (_, n) => `${d}#${n}`),
    ];
    expect(new Set(queries.map((c) => c.input.ExpressionAttributeValues[':d']))).toEqual(
      new Set([...partitions(day), ...partitions(prev)]),
    );
    expect(queries[0]!.input.ExpressionAttributeValues[':lo']).toBe(`${prev}T12:00:00.000Z#`);
  });

  it('finds live records of today and nothing in the future', async () => {
    // Prepare
    const started = new Date(Date.now() - 60_000).toISOString();
    const inst = await createInstance({ description: marker });
    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 3 });
    const until = new Date(Date.now() + 60_000).toISOString();
    const q = `start_date=${started}&end_date=${until}&instance_ids=${inst.id}`;

    // Act / Assess
    const res = await eventually(async () => {
      const r = await search(q);
      return r.body.items?.length === 2 ? r : undefined;
    });
    expect(res.body.items.map((r: Rec) => r.version)).toEqual([2, 1]);
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const none = await search(`start_date=${future}&instance_ids=${inst.id}`);
    expect(none.body.items).toEqual([]);
    // Open-ended on one side (only start_date) still finds today's records.
    const open = await search(`start_date=${started}&instance_ids=${inst.id}&q=${marker}`);
    expect(open.body.items.map((r: Rec) => r.version)).toEqual([1]);
  });
});

describe('GET /api/history/search, unbounded', () => {
  it('merges the partitions of instance_ids by history_id, newest first, with cursors', async () => {
    // Prepare: two instances changed in turn
    const a = await createInstance();
    const b = await createInstance();
    await api('PATCH', `/api/instances/${a.id}`, { replicas: 2 });
    await api('PATCH', `/api/instances/${b.id}`, { replicas: 2 });
    await api('PATCH', `/api/instances/${a.id}`, { replicas: 3 });
    const all = await eventually(async () => {
      const r = await search(`instance_ids=${a.id},${b.id}`);
      return r.body.items?.length === 5 ? (r.body.items as Rec[]) : undefined;
    });
    const ids = all.map((r) => r.history_id as number);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));

    // Act: page by 2
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res = await page(
        `instance_ids=${a.id},${b.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.items.map((r: Rec) => r.history_id));
      cursor = res.next_cursor;
      if (!cursor) break;
    }
    // Assess
    expect(seen).toEqual(ids);
  });

  it('walks the global order for a text search', async () => {
    const inst = await createInstance({ description: `${marker}-global` });
    const found = await eventually(async () => {
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const res = await page(`q=${marker}-global${cursor ? `&cursor=${cursor}` : ''}`);
        const hit = res.items.find((r: Rec) => r.instance_id === inst.id);
        if (hit) return hit as Rec;
        cursor = res.next_cursor;
        if (!cursor) return undefined;
      }
      return undefined;
    });
    expect(found.operation_type).toBe('create');
  });

  it('rejects bad parameters and foreign cursors with 400', async () => {
    for (const q of [
      'limit=0',
      'instance_ids=a,b',
      'operation_type=nope',
      'start_date=2026-13-45',
      'start_date=2026-02-01&end_date=2026-01-01',
      'cursor=%%%',
      'cursor=eyJ2IjoxLCJxIjoieCJ9',
    ]) {
      expect((await search(q)).status, q).toBe(400);
    }
    const first = await search(`${whole(day).replace('limit=1000', 'limit=1')}`);
    expect(first.body.next_cursor).toBeTruthy();
    const reused = await search(`q=other&cursor=${first.body.next_cursor}`);
    expect(reused.status).toBe(400);
  });
});
