/**
 * The history access layer without DynamoDB: the cursor codec, and the queries the walker sends
 * for each key shape, direction and position (a scripted client answers and records them).
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError, badRequest } from '../../shared/domain/errors.ts';
import { cursorFields, decodeCursor, encodeCursor, queryHash } from '../../shared/repo/cursor.ts';
import { HistoryTable, addDays, type Item } from '../../shared/repo/history-table.ts';

type Input = Record<string, any>;
interface Reply {
  Items?: Item[];
  LastEvaluatedKey?: Item;
  ScannedCount?: number;
  Responses?: Record<string, Item[]>;
}

/** A client that answers each command with the next scripted reply and keeps its input. */
function scripted(...replies: Reply[]) {
  const sent: { name: string; input: Input }[] = [];
  const client = {
    send: async (cmd: { constructor: { name: string }; input: Input }) => {
      sent.push({ name: cmd.constructor.name, input: cmd.input });
      return replies.shift() ?? {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { table: new HistoryTable(client, 'history'), sent };
}

/**
 * A client for sharded walks: each partition value (the query's `:h` / `:d` / `:id`) answers
 * its own scripted replies in turn, and an empty page once they run out.
 */
function routed(replies: Record<string, Reply[]>) {
  const sent: { name: string; input: Input }[] = [];
  const client = {
    send: async (cmd: { constructor: { name: string }; input: Input }) => {
      sent.push({ name: cmd.constructor.name, input: cmd.input });
      const values = cmd.input.ExpressionAttributeValues as Record<string, unknown>;
      const pk = String(values[':h'] ?? values[':d'] ?? values[':id']);
      return replies[pk]?.shift() ?? {};
    },
  } as unknown as DynamoDBDocumentClient;
  const partitions = () =>
    sent.map(
      (c) => c.input.ExpressionAttributeValues[':h'] ?? c.input.ExpressionAttributeValues[':d'],
    );
  return { table: new HistoryTable(client, 'history'), sent, partitions };
}

const HISTORY_PARTITIONS = ['H', 'H#0', 'H#1', 'H#2', 'H#3', 'H#4', 'H#5', 'H#6', 'H#7'];
const hid = (...ids: number[]) => ids.map((history_id) => ({ history_id }));

async function pagesOf<T>(walk: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of walk) out.push(page);
  return out;
}

const invalid = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
};

describe('cursor codec', () => {
  const schema = z.object({ v: cursorFields.v, q: z.literal('abc'), k: cursorFields.id });

  it('reads back what it wrote', () => {
    const raw = encodeCursor(schema, { v: 1, q: 'abc', k: 7 });
    expect(raw).toMatch(/^[\w-]+$/);
    expect(decodeCursor(schema, raw)).toEqual({ v: 1, q: 'abc', k: 7 });
  });

  it('refuses garbage, another shape and another query with the same 400', () => {
    const other = z.object({ v: cursorFields.v, q: z.literal('xyz'), k: cursorFields.id });
    for (const raw of [
      'garbage',
      '%%%',
      encodeCursor(z.object({}), {}),
      encodeCursor(other, { v: 1, q: 'xyz', k: 7 }),
      Buffer.from(JSON.stringify({ v: 1, q: 'abc', k: -1 })).toString('base64url'),
      Buffer.from(JSON.stringify([1, 2])).toString('base64url'),
    ]) {
      const err = invalid(() => decodeCursor(schema, raw)) as AppError;
      expect(err, raw).toBeInstanceOf(AppError);
      expect([err.status, err.message, err.details]).toEqual([
        400,
        'Invalid cursor',
        { cursor: 'not a cursor issued for this query' },
      ]);
    }
  });

  it('throws the error a list brings', () => {
    const own = () => badRequest('Invalid cursor', { cursor: 'not a cursor issued by this list' });
    const err = invalid(() => decodeCursor(schema, 'nope', own)) as AppError;
    expect(err.details).toEqual({ cursor: 'not a cursor issued by this list' });
  });

  it('hashes query shapes apart', () => {
    expect(queryHash({ a: 1 })).toBe(queryHash({ a: 1 }));
    expect(queryHash({ a: 1 })).not.toBe(queryHash({ a: 2 }));
  });
});

describe('HistoryTable.walk', () => {
  it('merges the byHistoryId shards newest first below a position, page after page', async () => {
    const { table, sent, partitions } = routed({
      'H#1': [{ Items: hid(9, 7), LastEvaluatedKey: { history_id: 7 } }, { Items: [] }],
      'H#0': [{ Items: hid(8) }],
      H: [{ Items: hid(2) }],
    });
    const pages = await pagesOf(
      table.walk({ by: 'historyId' }, { ascending: false, after: 10, pageSize: 2 }),
    );
    expect(pages.map((p) => p.items.map((i) => i.history_id))).toEqual([[9, 8], [7, 2], []]);
    expect(pages.map((p) => p.lastKey)).toEqual([{ history_id: 8 }, { history_id: 2 }, undefined]);
    // Every shard and the unsharded partition once, then the shard the merge drew on again.
    expect(partitions()).toEqual([...HISTORY_PARTITIONS, 'H#1']);
    expect(sent[2]!.input).toEqual({
      TableName: 'history',
      IndexName: 'byHistoryId',
      KeyConditionExpression: '#pk = :h AND #sk < :hi',
      ExpressionAttributeNames: { '#pk': 'h_pk', '#sk': 'history_id' },
      ExpressionAttributeValues: { ':h': 'H#1', ':hi': 10 },
      ScanIndexForward: false,
      Limit: 2,
    });
    // The second page of a shard is twice its share, from where its first stopped.
    expect(sent[9]!.input).toMatchObject({ Limit: 2, ExclusiveStartKey: { history_id: 7 } });
  });

  it('resumes a merged walk after the last entry of a page, in every shard', async () => {
    const { table, sent } = routed({});
    await table.entries(
      { by: 'historyId' },
      { ascending: false, startKey: { h_pk: 'H#0', history_id: 8, instance_id: 1, version: 2 } },
    );
    expect(sent).toHaveLength(9);
    for (const c of sent) {
      expect(c.input.KeyConditionExpression).toBe('#pk = :h AND #sk < :hi');
      expect(c.input.ExpressionAttributeValues[':hi']).toBe(8);
      expect(c.input).not.toHaveProperty('ExclusiveStartKey');
    }
  });

  it('reads an even share of each shard, and more only from one the merge keeps drawing on', async () => {
    const many = Array.from({ length: 30 }, (_, i) => 100 - i);
    const { table, sent } = routed({
      'H#5': [
        { Items: hid(...many.slice(0, 5)), LastEvaluatedKey: { history_id: 96 } },
        { Items: hid(...many.slice(5, 15)), LastEvaluatedKey: { history_id: 86 } },
        { Items: hid(...many.slice(15, 30)) },
      ],
    });
    const items = await table.entries({ by: 'historyId' }, { ascending: false, max: 30 });
    expect(items.map((i) => i.history_id)).toEqual(many);
    // ceil(1.5 × 30 / 9) + 1 = 6 from each partition first, then 12 and 24 from H#5.
    expect(sent.map((c) => c.input.Limit)).toEqual([...Array(9).fill(6), 12, 24]);
  });

  it('reads one partition up from a version, with filters and a projection', async () => {
    const { table, sent } = scripted({ Items: [{ version: 3 }], ScannedCount: 2 });
    const [page] = await pagesOf(
      table.walk(
        { by: 'instance', instanceId: 4 },
        {
          ascending: true,
          after: 2,
          filter: { historyId: { above: 10, to: 20 }, timestamp: { from: 'a', to: 'b' } },
          projection: ['version'],
        },
      ),
    );
    expect(page!.scanned).toBe(2);
    expect(sent[0]!.input).toEqual({
      TableName: 'history',
      KeyConditionExpression: '#pk = :id AND #sk > :lo',
      FilterExpression: '#fh > :fh_lo AND #fh <= :fh_hi AND #ft BETWEEN :ft_lo AND :ft_hi',
      ProjectionExpression: '#p0',
      ExpressionAttributeNames: {
        '#pk': 'instance_id',
        '#sk': 'version',
        '#fh': 'history_id',
        '#ft': 'operation_timestamp',
        '#p0': 'version',
      },
      ExpressionAttributeValues: {
        ':id': 4,
        ':lo': 2,
        ':fh_lo': 10,
        ':fh_hi': 20,
        ':ft_lo': 'a',
        ':ft_hi': 'b',
      },
      ScanIndexForward: true,
    });
  });

  it('resumes after a string key by bounding at it and leaving it out', async () => {
    const { table, sent } = routed({
      '2026-01-02#3': [{ Items: [{ ts_key: 'm' }, { ts_key: 'l' }] }],
    });
    const [page] = await pagesOf(
      table.walk(
        { by: 'day', day: '2026-01-02' },
        { ascending: false, from: 'a', to: 'z', after: 'm' },
      ),
    );
    expect(page!.items).toEqual([{ ts_key: 'l' }]);
    expect(sent.map((c) => c.input.ExpressionAttributeValues[':d'])).toEqual([
      '2026-01-02',
      ...Array.from({ length: 8 }, (_, n) => `2026-01-02#${n}`),
    ]);
    expect(sent[4]!.input.KeyConditionExpression).toBe('#pk = :d AND #sk BETWEEN :lo AND :hi');
    expect(sent[4]!.input.ExpressionAttributeValues).toEqual({
      ':d': '2026-01-02#3',
      ':lo': 'a',
      ':hi': 'm',
    });
  });

  it('resumes after the largest safe id with a plain comparison, never an unsafe number', async () => {
    const { table, sent } = scripted({ Items: [] });
    await table.entries({ by: 'historyId' }, { ascending: true, after: Number.MAX_SAFE_INTEGER });
    expect(sent[0]!.input.KeyConditionExpression).toBe('#pk = :h AND #sk > :lo');
    expect(sent[0]!.input.ExpressionAttributeValues[':lo']).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('turns an excluded number into its neighbour when a BETWEEN needs both limits', async () => {
    const { table, sent } = scripted({ Items: [] });
    await table.entries({ by: 'historyId' }, { ascending: true, after: 4, to: 9 });
    expect(sent[0]!.input.KeyConditionExpression).toBe('#pk = :h AND #sk BETWEEN :lo AND :hi');
    expect(sent[0]!.input.ExpressionAttributeValues).toEqual({ ':h': 'H', ':lo': 5, ':hi': 9 });
  });

  it('stops at `max` entries and sends no query for an empty range', async () => {
    const { table, sent } = routed({
      H: [
        { Items: hid(1, 2), LastEvaluatedKey: { history_id: 2 } },
        { Items: hid(3), LastEvaluatedKey: { history_id: 3 } },
      ],
      'H#6': [{ Items: hid(6), LastEvaluatedKey: { history_id: 6 } }],
    });
    const items = await table.entries({ by: 'historyId' }, { ascending: true, max: 3 });
    expect(items.map((i) => i.history_id)).toEqual([1, 2, 3]);
    // One entry of a share of 2 is left in H: a walk stops at `max` without reading further.
    expect(sent.map((c) => c.input.Limit)).toEqual([...Array(9).fill(2), 3]);

    const empty = scripted();
    expect(
      await empty.table.entries({ by: 'historyId' }, { ascending: true, after: 5, to: 5 }),
    ).toEqual([]);
    expect(empty.sent).toEqual([]);
  });
});

describe('HistoryTable point reads over the shards', () => {
  it('finds a record by history id in its shard or the unsharded partition only', async () => {
    const { table, partitions } = routed({
      'H#3': [{ Items: [{ history_id: 11, instance_id: 4, version: 2 }] }],
    });
    expect(await table.keyOf(11)).toEqual({ instance_id: 4, version: 2 });
    expect(partitions()).toEqual(['H', 'H#3']);
  });

  it('takes the newest id across every shard', async () => {
    const { table, sent } = routed({ H: [{ Items: hid(40) }], 'H#2': [{ Items: hid(42) }] });
    expect(await table.newestId()).toBe(42);
    expect(sent.map((c) => [c.input.Limit, c.input.ScanIndexForward])).toEqual(
      Array(9).fill([1, false]),
    );
  });
});

describe('HistoryTable.days', () => {
  const shardsOf = (day: string) => [day, ...Array.from({ length: 8 }, (_, n) => `${day}#${n}`)];

  it('walks days newest first, each page saying where to go on', async () => {
    const { table, partitions } = routed({
      '2026-01-02#4': [{ Items: [{ ts_key: 'x' }], LastEvaluatedKey: { ts_key: 'x' } }],
      '2026-01-01': [{ Items: [{ ts_key: 'y' }] }],
    });
    const pages = await pagesOf(
      table.days(
        { first: '2026-01-01', last: '2026-01-02', from: '0', to: '9' },
        { ascending: false, pageSize: 1 },
      ),
    );
    expect(pages.map((p) => [p.day, p.items, p.next])).toEqual([
      ['2026-01-02', [{ ts_key: 'x' }], { day: '2026-01-02', startKey: { ts_key: 'x' } }],
      ['2026-01-02', [], { day: '2026-01-01' }],
      ['2026-01-01', [{ ts_key: 'y' }], { day: '2026-01-01', startKey: { ts_key: 'y' } }],
      ['2026-01-01', [], null],
    ]);
    expect(partitions()).toEqual([
      ...shardsOf('2026-01-02'),
      '2026-01-02#4',
      ...shardsOf('2026-01-01'),
    ]);
  });

  it('resumes on the day of a position, after its key in every shard, then moves on', async () => {
    const r = routed({});
    await pagesOf(
      r.table.days(
        { first: '2026-01-01', last: '2026-01-03' },
        { ascending: true, pageSize: 5, start: { day: '2026-01-02', startKey: { ts_key: 'k' } } },
      ),
    );
    expect(r.partitions()).toEqual([...shardsOf('2026-01-02'), ...shardsOf('2026-01-03')]);
    for (const c of r.sent.slice(0, 9)) {
      expect(c.input.KeyConditionExpression).toBe('#pk = :d AND #sk > :lo');
      expect(c.input.ExpressionAttributeValues[':lo']).toBe('k');
    }
    for (const c of r.sent.slice(9)) expect(c.input.KeyConditionExpression).toBe('#pk = :d');
  });

  it('counts days across month ends', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });
});

describe('HistoryTable.hydrate', () => {
  const stored = (instance_id: number, version: number): Item => ({
    instance_id,
    version,
    history_id: instance_id * 10 + version,
    h_pk: 'H',
    day: '2026-01-01',
    ts_key: 't',
    changes: {},
    changed_fields: [],
    snapshot: { name: 'n', id: instance_id },
  });

  it('reads each key once and answers records in the keys’ order, index keys left out', async () => {
    const { table, sent } = scripted({ Responses: { history: [stored(2, 1), stored(1, 1)] } });
    const records = await table.hydrate([
      { instance_id: 1, version: 1, h_pk: 'H', history_id: 11 },
      { instance_id: 2, version: 1 },
      { instance_id: 1, version: 1 },
      { instance_id: 3, version: 1 },
    ]);
    expect(records.map((r) => r.history_id)).toEqual([11, 21, 11]);
    expect(records[0]).not.toHaveProperty('h_pk');
    expect(records[0]).not.toHaveProperty('ts_key');
    expect(Object.keys(records[0]!.snapshot)).toEqual(['id', 'name']);
    expect(sent[0]!.input.RequestItems.history.Keys).toEqual([
      { instance_id: 1, version: 1 },
      { instance_id: 2, version: 1 },
      { instance_id: 3, version: 1 },
    ]);
  });

  it('sends nothing for no keys', async () => {
    const { table, sent } = scripted();
    expect(await table.hydrate([])).toEqual([]);
    expect(sent).toEqual([]);
  });
});
