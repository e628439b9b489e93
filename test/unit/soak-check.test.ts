/** The soak's checker must be able to fail: each defect it looks for, planted in a small view. */
import { describe, expect, it } from 'vitest';
import { checkHistory, historyCaughtUp, recount, sameStats } from '../../scripts/lib/soak/check.ts';
import { replaceSection } from '../../scripts/lib/soak/report.ts';

const instance = (id: number, version: number) => ({
  id,
  version,
  name: `i-${id}`,
  model_name: 'm',
  cluster_name: 'c',
  image_tag: 't',
  status: 'active',
  priority: 'medium',
});
const record = (history_id: number, instance_id: number, version: number) => ({
  history_id,
  instance_id,
  version,
});
const acks = [
  { id: 1, version: 1 },
  { id: 1, version: 2 },
  { id: 2, version: 1 },
];
const good = {
  instances: [instance(1, 2), instance(2, 1)],
  history: [record(1, 1, 1), record(2, 2, 1), record(3, 1, 2)],
};

describe('soak checker', () => {
  it('passes a complete history', () => {
    expect(checkHistory(acks, good)).toMatchObject({
      acknowledged: 3,
      historyRecords: 3,
      missing: 0,
      duplicated: 0,
      versionErrors: 0,
      duplicateHistoryIds: 0,
    });
    expect(historyCaughtUp(good)).toBe(true);
  });

  it('reports a deleted history record as missing, a gap and not caught up', () => {
    const view = { ...good, history: good.history.filter((h) => h.history_id !== 3) };
    expect(checkHistory(acks, view)).toMatchObject({ missing: 1, versionErrors: 1 });
    expect(historyCaughtUp(view)).toBe(false);
  });

  it('reports a second record of a version and a repeated history id', () => {
    const view = { ...good, history: [...good.history, record(3, 2, 1)] };
    expect(checkHistory(acks, view)).toMatchObject({
      duplicated: 1,
      versionErrors: 1,
      duplicateHistoryIds: 1,
    });
  });

  it('recounts the stats from the live instances', () => {
    const stats = recount(good.instances);
    expect(stats.total).toBe(2);
    expect(sameStats(stats, { ...stats, total: 3 })).toBe(false);
  });
});

describe('soak docs section', () => {
  it('replaces only what is between the markers, and adds them when missing', () => {
    const doc = 'intro\n<!-- soak:begin -->\nold\n<!-- soak:end -->\nafter\n';
    expect(replaceSection(doc, 'new')).toBe(
      'intro\n<!-- soak:begin -->\n\nnew\n\n<!-- soak:end -->\nafter\n',
    );
    expect(replaceSection('intro\n', 'new')).toBe(
      'intro\n\n<!-- soak:begin -->\n\nnew\n\n<!-- soak:end -->\n',
    );
  });
});
