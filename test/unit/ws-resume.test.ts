/**
 * Resume (`since_history_id`) against in-memory stand-ins for the connection table, the
 * Management API and the history replay: the order of hiding, replaying, going live and
 * catching up, and what the `subscribed` answer reports.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../shared/domain/history.ts';
import { MAX_REPLAY, type ServerMessage } from '../../shared/ws/protocol.ts';
import type { PostResult } from '../../shared/ws/publisher.ts';
import { resume, type ResumeDeps } from '../../shared/ws/resume.ts';
import { MAX_OVERLAP, RESUME_OVERLAP_MS } from '../../shared/ws/resume-window.ts';

const record = (history_id: number): HistoryRecord => ({
  history_id,
  instance_id: 42,
  original_id: 42,
  version: history_id,
  operation_type: 'update',
  operation_timestamp: '2026-10-01T09:40:12.345Z',
  actor: 'bob',
  changed_fields: ['replicas'],
  changes: { replicas: { old: 1, new: 2 } },
  snapshot: { id: 42, replicas: 2 },
  batch_id: 'b',
});

interface World {
  /** Records the replay reader knows, and the ones that land once the subscription is live. */
  history: HistoryRecord[];
  landsWhenLive?: HistoryRecord[];
  /** Post results in order; 'sent' once they run out. */
  postResults?: PostResult[];
  /** history_id → position (epoch ms); records without one are read by id only. */
  positions?: Map<number, number>;
}

function setUp(world: World) {
  const log: string[] = [];
  const sent: ServerMessage[] = [];
  const deps: ResumeDeps = {
    connections: {
      subscribe: async (_id, topics, live) => void log.push(`subscribe ${topics} live=${live}`),
      setLive: async (_id, topics) => {
        log.push(`setLive ${topics}`);
        world.history.push(...(world.landsWhenLive ?? []));
      },
    },
    publisher: {
      post: async (_id, message) => {
        const result = world.postResults?.shift() ?? 'sent';
        if (result === 'sent') sent.push(message);
        return result;
      },
    },
    replay: {
      start: async (since) => {
        const pos = world.positions?.get(since);
        return { since, fromPos: pos === undefined ? undefined : pos - RESUME_OVERLAP_MS };
      },
      after: async (from, _topics, max, skip = new Set()) => {
        log.push(`after ${from.since}${skip.size ? ` skipping ${[...skip]}` : ''}`);
        const pos = (id: number) => world.positions?.get(id);
        const found = world.history
          .filter(
            (r) =>
              !skip.has(r.history_id) &&
              r.history_id !== from.since &&
              (r.history_id > from.since ||
                (from.fromPos !== undefined && (pos(r.history_id) ?? -Infinity) >= from.fromPos)),
          )
          .sort((a, b) => a.history_id - b.history_id);
        // As the reader does: the overlap and the newer records, each up to its own limit.
        return [
          ...found.filter((r) => r.history_id < from.since).slice(0, MAX_OVERLAP + 1),
          ...found.filter((r) => r.history_id > from.since).slice(0, max + 1),
        ];
      },
      newest: async () => Math.max(0, ...world.history.map((r) => r.history_id)),
      positions: {
        restamp: async (key, now) => {
          log.push(`restamp v${key.version}`);
          return now;
        },
      },
    },
  };
  return { deps, log, sent: () => sent.map((m) => (m as { history_id?: number }).history_id) };
}

describe('resume', () => {
  it('replays hidden, goes live, then catches up on what landed meanwhile', async () => {
    // Prepare
    const w = setUp({ history: [record(5), record(6), record(7)], landsWhenLive: [record(8)] });

    // Act
    const resumed = await resume(w.deps, 'c1', ['instance:42'], 5);

    // Assess
    expect(w.log).toEqual([
      'subscribe instance:42 live=false',
      'after 5',
      'setLive instance:42',
      'after 5 skipping 6,7',
      // Sent once live messages flow: its position moves to now, so a later resume finds it.
      'restamp v8',
    ]);
    expect(w.sent()).toEqual([6, 7, 8]);
    expect(resumed).toEqual({ replayed: 3, last_history_id: 8 });
  });

  it('replays a lower id positioned near or after the one sent (committed or posted late)', async () => {
    // Prepare: 7 was the last id the client got; 4 was posted after it (a slower shard), 3
    // long before. Ids alone (> 7) would miss 4.
    const t = 1_800_000_000_000;
    const w = setUp({
      history: [record(3), record(4), record(7)],
      positions: new Map([
        [3, t - RESUME_OVERLAP_MS - 1],
        [7, t],
        [4, t + 50],
      ]),
    });

    // Act
    const resumed = await resume(w.deps, 'c1', ['instances'], 7);

    // Assess: 4; not 7 (the client has it), not 3 (out of the window).
    expect(w.sent()).toEqual([4]);
    expect(resumed).toEqual({ replayed: 1, last_history_id: 7 });
  });

  it('reports the sent id when nothing was missed', async () => {
    const w = setUp({ history: [record(5)] });
    expect(await resume(w.deps, 'c1', ['instances'], 5)).toEqual({
      replayed: 0,
      last_history_id: 5,
    });
    expect(w.sent()).toEqual([]);
  });

  it('answers an id from the future with the newest id there is', async () => {
    const w = setUp({ history: [record(5)] });
    expect(await resume(w.deps, 'c1', ['instances'], Number.MAX_SAFE_INTEGER)).toEqual({
      replayed: 0,
      last_history_id: 5,
    });
  });

  it('stops, leaving the subscription hidden, when the connection stops taking messages', async () => {
    // Prepare
    const w = setUp({ history: [record(1), record(2), record(3)], postResults: ['sent', 'gone'] });

    // Act
    const resumed = await resume(w.deps, 'c1', ['instances'], 0);

    // Assess
    expect(resumed).toBeUndefined();
    expect(w.sent()).toEqual([1]);
    expect(w.log).not.toContain('setLive instances');
  });

  it(`past ${MAX_REPLAY} missed records goes live without them and throws ResumeTooFar`, async () => {
    // Prepare
    const history = Array.from({ length: MAX_REPLAY + 1 }, (_, i) => record(i + 1));
    const w = setUp({ history });

    // Act
    const outcome = resume(w.deps, 'c1', ['instances'], 0);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      status: 413,
      type: 'ResumeTooFar',
      details: { max_replay: MAX_REPLAY },
    });
    expect(w.sent()).toEqual([]);
    expect(w.log).toEqual(['subscribe instances live=false', 'after 0', 'setLive instances']);
  });

  it(`counts the catch-up read against the ${MAX_REPLAY} too`, async () => {
    const w = setUp({
      history: Array.from({ length: MAX_REPLAY }, (_, i) => record(i + 1)),
      landsWhenLive: [record(MAX_REPLAY + 1)],
    });
    await expect(resume(w.deps, 'c1', ['instances'], 0)).rejects.toMatchObject({
      type: 'ResumeTooFar',
    });
    expect(w.sent()).toHaveLength(MAX_REPLAY);
  });

  it(`sends the overlap apart from the ${MAX_REPLAY}: a busy minute is no ResumeTooFar`, async () => {
    // Prepare: 1,500 records positioned inside the window before the one sent (~60 changes/s),
    // and 3 newer ones.
    const T = 1_800_000_000_000;
    const history = Array.from({ length: 1_503 }, (_, i) => record(i + 1));
    const positions = new Map(history.map((r) => [r.history_id, T - 1_500 + r.history_id]));
    const w = setUp({ history, positions });

    // Act
    const resumed = await resume(w.deps, 'c1', ['instances'], 1_500);

    // Assess: every record but the one sent, in order; the client drops what it had.
    expect(resumed).toEqual({ replayed: 1_502, last_history_id: 1_503 });
    expect(w.sent()).toEqual(history.map((r) => r.history_id).filter((id) => id !== 1_500));
  });

  it(`past ${MAX_OVERLAP} records in the overlap throws ResumeTooFar`, async () => {
    const T = 1_800_000_000_000;
    const history = Array.from({ length: MAX_OVERLAP + 2 }, (_, i) => record(i + 1));
    const positions = new Map(history.map((r) => [r.history_id, T]));
    const w = setUp({ history, positions });
    await expect(resume(w.deps, 'c1', ['instances'], MAX_OVERLAP + 2)).rejects.toMatchObject({
      type: 'ResumeTooFar',
    });
    expect(w.sent()).toEqual([]);
  });
});
