/**
 * The resume replay's reads (shared/ws/replay.ts) on tables of their own: every higher id, the
 * lower ids whose writer stamp is inside the window, and the records posted late — nothing else.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { historyItem } from '../../shared/repo/history-writer.ts';
import type { HistoryRecord } from '../../shared/domain/history.ts';
import { ReplayReader } from '../../shared/ws/replay.ts';
import { RESUME_OVERLAP_MS, ID_TO_STAMP_BOUND_MS } from '../../shared/ws/resume-window.ts';
import { ensureTables, prefixedTableNames } from '../../infra/local/tables.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { stack } from '../support/api.ts';

const T = 1_800_000_000_000;
const record = (history_id: number, instance_id: number): HistoryRecord => ({
  history_id,
  instance_id,
  original_id: instance_id,
  version: 1,
  operation_type: 'create',
  operation_timestamp: new Date(T).toISOString(),
  actor: 'a',
  changed_fields: [],
  changes: {},
  snapshot: { id: instance_id },
  batch_id: 'b',
});

/** id → [instance, writer stamp (undefined: written before positions), late position] */
const SEED: Record<number, [number, number | undefined, number?]> = {
  1: [1, T - 100_000], // far behind
  2: [2, undefined], // from before positions
  3: [6, T - 200_000, T - 1_000], // stamped long ago, posted late just now
  4: [7, T - RESUME_OVERLAP_MS - ID_TO_STAMP_BOUND_MS - 1], // behind: the walk stops here
  5: [4, T - 10_000], // a lower id stamped inside the window
  6: [5, T - RESUME_OVERLAP_MS - 1], // just outside the window
  10: [3, T], // the id the client resumes from
  11: [8, T + 5_000],
  12: [9, T + 6_000],
};

let replay: ReplayReader;

beforeAll(async () => {
  const client = new DynamoDBClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
  const names = prefixedTableNames(`rw${randomUUID().slice(0, 8)}-`);
  await ensureTables(client, names);
  const doc = createDocumentClient(client);
  for (const [id, [instance, pos, late]] of Object.entries(SEED)) {
    const item = historyItem(record(Number(id), instance), pos ?? 0);
    if (pos === undefined) delete item.pos;
    if (late !== undefined) item.late_pos = late;
    await doc.send(new PutCommand({ TableName: names.history, Item: item }));
  }
  replay = new ReplayReader(doc, names.history);
});

const ids = (records: HistoryRecord[]) => records.map((r) => r.history_id);

describe('resume replay reads', () => {
  it('starts the window at the resumed record’s stamp minus the overlap', async () => {
    expect(await replay.start(10)).toEqual({ since: 10, fromPos: T - RESUME_OVERLAP_MS });
    // Unknown or unstamped ids: higher ids only.
    expect(await replay.start(2)).toEqual({ since: 2, fromPos: undefined });
    expect(await replay.start(999)).toEqual({ since: 999, fromPos: undefined });
  });

  it('on `instances`: higher ids, lower ids stamped in the window, late posts', async () => {
    const from = await replay.start(10);
    expect(ids(await replay.after(from, ['instances'], 100))).toEqual([3, 5, 11, 12]);
    // Already sent on this connection: left out.
    expect(ids(await replay.after(from, ['instances'], 100, new Set([5, 11])))).toEqual([3, 12]);
    // At most max + 1 newer than the one resumed from (the caller's "too many"); the overlap
    // below it has a limit of its own (MAX_OVERLAP).
    expect(ids(await replay.after(from, ['instances'], 0))).toEqual([3, 5, 11]);
  });

  it('on `instance:<id>`: the same rule within that instance', async () => {
    const from = await replay.start(10);
    expect(ids(await replay.after(from, ['instance:6'], 100))).toEqual([3]);
    expect(ids(await replay.after(from, ['instance:4'], 100))).toEqual([5]);
    expect(ids(await replay.after(from, ['instance:5', 'instance:1'], 100))).toEqual([]);
    expect(ids(await replay.after(from, ['instance:9', 'instance:7'], 100))).toEqual([12]);
  });

  it('without a stamped record to start from: ids above it', async () => {
    const from = await replay.start(2);
    expect(ids(await replay.after(from, ['instances'], 100))).toEqual([3, 4, 5, 6, 10, 11, 12]);
  });
});
