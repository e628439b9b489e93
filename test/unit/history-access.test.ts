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
  it('reads the byHistoryId index newest first below a position, page after page', async () => {
    const { table, sent } = scripted(
      { Items: [{ history_id: 9 }, { history_id: 8 }], LastEvaluatedKey: { history_id: 8 } },
      { Items: [{ history_id: 7 }] },
    );
    const pages = await pagesOf(
      table.walk({ by: 'historyId' }, { ascending: false, after: 10, pageSize: 2 }),
    );
    expect(pages.map((p) => p.items.length)).toEqual([2, 1]);
    expect(pages.map((p) => p.lastKey)).toEqual([{ history_id: 8 }, undefined]);
    expect(sent.map((c) => c.name)).toEqual(['QueryCommand', 'QueryCommand']);
    expect(sent[0]!.input).toEqual({
      TableName: 'history',
      IndexName: 'byHistoryId',
      KeyConditionExpression: '#pk = :h AND #sk < :hi',
      ExpressionAttributeNames: { '#pk': 'h_pk', '#sk': 'history_id' },
      ExpressionAttributeValues: { ':h': 'H', ':hi': 10 },
      ScanIndexForward: false,
      Limit: 2,
    });
    expect(sent[1]!.input.ExclusiveStartKey).toEqual({ history_id: 8 });
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
    const { table, sent } = scripted({ Items: [{ ts_key: 'm' }, { ts_key: 'l' }] });
    const [page] = await pagesOf(
      table.walk(
        { by: 'day', day: '2026-01-02' },
        { ascending: false, from: 'a', to: 'z', after: 'm' },
      ),
    );
    expect(page!.items).toEqual([{ ts_key: 'l' }]);
    expect(sent[0]!.input.KeyConditionExpression).toBe('#pk = :d AND #sk BETWEEN :lo AND :hi');
    expect(sent[0]!.input.ExpressionAttributeValues).toEqual({
      ':d': '2026-01-02',
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
    const { table, sent } = scripted(
      { Items: [{ history_id: 1 }, { history_id: 2 }], LastEvaluatedKey: { history_id: 2 } },
      { Items: [{ history_id: 3 }], LastEvaluatedKey: { history_id: 3 } },
    );
    const items = await table.entries({ by: 'historyId' }, { ascending: true, max: 3 });
    expect(items).toHaveLength(3);
    expect(sent.map((c) => c.input.Limit)).toEqual([3, 1]);

    const empty = scripted();
    expect(
      await empty.table.entries({ by: 'historyId' }, { ascending: true, after: 5, to: 5 }),
    ).toEqual([]);
    expect(empty.sent).toEqual([]);
  });
});

describe('HistoryTable.days', () => {
  it('walks days newest first, each page saying where to go on', async () => {
    const { table, sent } = scripted(
      { Items: [{ ts_key: 'x' }], LastEvaluatedKey: { ts_key: 'x' } },
      { Items: [] },
      { Items: [{ ts_key: 'y' }] },
    );
    const pages = await pagesOf(
      table.days(
        { first: '2026-01-01', last: '2026-01-02', from: '0', to: '9' },
        { ascending: false, pageSize: 1 },
      ),
    );
    expect(pages.map((p) => [p.day, p.next])).toEqual([
      ['2026-01-02', { day: '2026-01-02', startKey: { ts_key: 'x' } }],
      ['2026-01-02', { day: '2026-01-01' }],
      ['2026-01-01', null],
    ]);
    expect(sent.map((c) => c.input.ExpressionAttributeValues[':d'])).toEqual([
      '2026-01-02',
      '2026-01-02',
      '2026-01-01',
    ]);
  });

  it('resumes on the day of a position, from its key, then moves on', async () => {
    const { table, sent } = scripted({ Items: [] }, { Items: [] });
    await pagesOf(
      table.days(
        { first: '2026-01-01', last: '2026-01-03' },
        { ascending: true, pageSize: 5, start: { day: '2026-01-02', startKey: { ts_key: 'k' } } },
      ),
    );
    expect(
      sent.map((c) => [c.input.ExpressionAttributeValues[':d'], c.input.ExclusiveStartKey]),
    ).toEqual([
      ['2026-01-02', { ts_key: 'k' }],
      ['2026-01-03', undefined],
    ]);
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
