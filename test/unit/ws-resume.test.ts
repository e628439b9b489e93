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
      after: async (since, _topics, max) => {
        log.push(`after ${since}`);
        return world.history.filter((r) => r.history_id > since).slice(0, max + 1);
      },
      newest: async () => Math.max(0, ...world.history.map((r) => r.history_id)),
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
      'after 7',
    ]);
    expect(w.sent()).toEqual([6, 7, 8]);
    expect(resumed).toEqual({ replayed: 3, last_history_id: 8 });
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
});
