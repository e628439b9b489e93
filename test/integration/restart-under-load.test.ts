/**
 * No acknowledged write without its history record across a stop: six clients write while the
 * stack gets SIGINT on its whole process group (what Ctrl-C in a terminal sends), then the
 * stack restarts on the same data folder and every committed version must have exactly one
 * history record, the stats must equal a recount, and no request may have answered 500.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstancesClient } from '../../client/index.ts';
import {
  checkHistory,
  checkStats,
  historyCaughtUp,
  localDocumentClient,
  readTables,
} from '../../scripts/lib/soak/check.ts';
import { spawnStack, type StackInfo } from '../support/spawn-stack.ts';
import { eventually } from '../support/api.ts';

const WRITERS = 6;
const SLOTS_PER_WRITER = 3;

interface Tally {
  acknowledged: Map<number, number>; // instance id → highest acknowledged version
  status: Map<number, number>;
  refused: number; // connection refused or reset once the server is gone
}

/** One client: its own instances, written one request at a time, so versions are known. */
async function writer(url: string, w: number, tally: Tally, until: () => boolean) {
  const send = async (method: string, path: string, body?: unknown) => {
    try {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      tally.status.set(res.status, (tally.status.get(res.status) ?? 0) + 1);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    } catch {
      tally.refused++;
      return undefined;
    }
  };
  const create = async (slot: number, round: number) => {
    const res = await send('POST', '/api/instances', {
      name: `restart-${w}-${slot}-${round}-${process.pid}`,
      model_name: `m-${slot}`,
      cluster_name: `c-${w % 3}`,
      image_tag: 't',
    });
    if (res?.status !== 201) return undefined;
    const id = res.body.id as number;
    tally.acknowledged.set(id, 1);
    return id;
  };
  const slots: (number | undefined)[] = [];
  for (let s = 0; s < SLOTS_PER_WRITER; s++) slots.push(await create(s, 0));
  for (let op = 1; until(); op++) {
    const s = op % SLOTS_PER_WRITER;
    const id = slots[s];
    if (id === undefined) {
      slots[s] = await create(s, op);
      continue;
    }
    if (op % 11 === 0) {
      const res = await send('DELETE', `/api/instances/${id}`);
      if (res?.status === 200) {
        tally.acknowledged.set(id, tally.acknowledged.get(id)! + 1);
        slots[s] = undefined;
      }
      continue;
    }
    const res = await send('PATCH', `/api/instances/${id}`, {
      replicas: (op % 90) + 1,
      status: op % 3 === 0 ? 'pending' : 'active',
    });
    if (res?.status === 200) tally.acknowledged.set(id, res.body.version as number);
  }
}

/** Every committed version has its history record, and the history is 1..n per instance. */
async function check(info: StackInfo, tally: Tally) {
  const doc = localDocumentClient(info.dynamodb);
  try {
    // History catches up after the restart: wait until the newest committed version is recorded.
    const view = await eventually(async () => {
      const v = await readTables(doc, info.tables);
      return historyCaughtUp(v) && v;
    }, 60_000);
    const acks = [...tally.acknowledged].map(([id, version]) => ({ id, version }));
    const stats = await checkStats(
      new InstancesClient({ baseUrl: info.url }),
      view.instances,
      20_000,
    );
    return { ...checkHistory(acks, view), statsEqual: stats.equal };
  } finally {
    doc.destroy();
  }
}

describe('a stop under load', () => {
  it('loses no history when Ctrl-C reaches the whole process group mid-load', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ii-restart-'));
    const first = await spawnStack(['--data-dir', dataDir]);
    const tally: Tally = { acknowledged: new Map(), status: new Map(), refused: 0 };
    let exited = false;
    void first.exited.then(() => (exited = true));
    const writers = Array.from({ length: WRITERS }, (_, w) =>
      writer(first.info.url, w, tally, () => !exited),
    );
    // Stop once real load is under way: every writer has had many writes acknowledged.
    await eventually(
      async () =>
        tally.acknowledged.size >= WRITERS * SLOTS_PER_WRITER &&
        (tally.status.get(200) ?? 0) >= 300,
      60_000,
    );
    const signalled = Date.now();
    first.signalGroup('SIGINT');
    expect(await first.exited).toBe(0);
    const stopSeconds = (Date.now() - signalled) / 1000;
    await Promise.all(writers);

    const second = await spawnStack(['--data-dir', dataDir]);
    try {
      const result = await check(second.info, tally);
      const summary = {
        acknowledged_writes: [...tally.status]
          .filter(([s]) => s < 300)
          .reduce((n, [, c]) => n + c, 0),
        history_records: result.historyRecords,
        missing: result.missing,
        status_500: tally.status.get(500) ?? 0,
        status_503: tally.status.get(503) ?? 0,
        refused_connections: tally.refused,
        stop_seconds: stopSeconds,
      };
      console.log(`restart under load: ${JSON.stringify(summary)}`);
      expect(result.details).toEqual([]);
      expect(result.missing).toBe(0);
      expect(result.versionErrors).toBe(0);
      expect(result.duplicateHistoryIds).toBe(0);
      expect(result.statsEqual).toBe(true);
      expect([...tally.status.keys()].filter((s) => s >= 500 && s !== 503)).toEqual([]);
      expect(stopSeconds).toBeLessThan(30);
      // Nothing was set aside, and the redrive says so against the running stack.
      const redrive = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'scripts/redrive.ts', '--data-dir', dataDir],
        { encoding: 'utf8' },
      );
      expect(redrive.status).toBe(0);
      expect(redrive.stdout).toContain(
        'HistoryWriter: on-failure entries replayed 0 (0 records), failed again 0; quarantined records released 0, still failing 0',
      );
    } finally {
      await second.stop();
    }
  }, 180_000);
});
