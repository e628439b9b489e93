import { describe, expect, it } from 'vitest';
import { HistoryStatsAccumulator } from '../../shared/domain/history-stats.ts';
import { batchCompare } from '../../shared/domain/history-batch-compare.ts';
import { compareSnapshots } from '../../shared/domain/history-compare.ts';
import { historyListQuerySchema } from '../../shared/domain/history-list-query.ts';
import { matchesRecord } from '../../shared/domain/history-filter.ts';
import { restorePatch, restoreTarget } from '../../shared/domain/restore-target.ts';
import type { HistoryRecord } from '../../shared/domain/history.ts';

const base = {
  id: 7,
  name: 'a',
  model_name: 'm',
  model_version: 'latest',
  cluster_name: 'c',
  image_tag: 'i:1',
  replicas: 1,
  pp: 1,
  cp: 8,
  tp: 1,
  workers: 1,
  task_concurrency: 1,
  pipeline_mode: false,
  cuda_graph: false,
  status: 'active',
  priority: 'medium',
  envs: { A: '1', B: '2' },
  version: 1,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  created_by: 'u',
  updated_by: 'u',
} as const;

function record(
  history_id: number,
  snapshot: Record<string, unknown>,
  extra: Partial<HistoryRecord> = {},
): HistoryRecord {
  return {
    history_id,
    instance_id: 7,
    original_id: 7,
    version: history_id,
    operation_type: 'update',
    operation_timestamp: `2026-01-0${history_id}T10:00:00.000Z`,
    actor: 'alice',
    changed_fields: [],
    changes: {},
    snapshot,
    batch_id: 'b',
    ...extra,
  };
}

describe('compareSnapshots', () => {
  it('compares field by field and envs key by key as envs.KEY', () => {
    // Prepare
    const s1 = { ...base, envs: { A: '1', B: '2' }, description: 'old' };
    const s2 = {
      ...base,
      replicas: 3,
      envs: { A: '1', B: '3', C: 'x' },
      quantization: 'fp8',
      version: 5,
    };
    // Act
    const diffs = compareSnapshots(s1, s2);
    // Assess
    expect(diffs).toEqual([
      { field: 'description', value1: 'old', value2: null, type: 'removed' },
      { field: 'envs.B', value1: '2', value2: '3', type: 'modified' },
      { field: 'envs.C', value1: null, value2: 'x', type: 'added' },
      { field: 'quantization', value1: null, value2: 'fp8', type: 'added' },
      { field: 'replicas', value1: 1, value2: 3, type: 'modified' },
    ]);
  });

  it('leaves out id and bookkeeping fields and finds nothing between equal snapshots', () => {
    expect(
      compareSnapshots(base, { ...base, version: 9, updated_at: 'x', updated_by: 'y' }),
    ).toEqual([]);
  });

  it('treats a missing envs map as empty', () => {
    const { envs: _e, ...noEnvs } = base;
    expect(compareSnapshots(noEnvs, base).map((d) => [d.field, d.type])).toEqual([
      ['envs.A', 'added'],
      ['envs.B', 'added'],
    ]);
  });
});

describe('batchCompare', () => {
  it('orders records by history_id, diffs consecutive ones and groups values per field', () => {
    // Prepare: given out of order
    const r3 = record(3, { ...base, replicas: 2, envs: { A: '1' } });
    const r1 = record(1, { ...base });
    const r2 = record(2, { ...base, replicas: 2 });
    // Act
    const out = batchCompare([r3, r1, r2]);
    // Assess
    expect(out.record_ids).toEqual([1, 2, 3]);
    expect(out.comparisons).toEqual([
      {
        from: 1,
        to: 2,
        differences: [{ field: 'replicas', value1: 1, value2: 2, type: 'modified' }],
      },
      {
        from: 2,
        to: 3,
        differences: [{ field: 'envs.B', value1: '2', value2: null, type: 'removed' }],
      },
    ]);
    expect(out.fields).toEqual({
      'envs.B': [
        { value: '2', record_ids: [1, 2] },
        { value: null, record_ids: [3] },
      ],
      replicas: [
        { value: 1, record_ids: [1] },
        { value: 2, record_ids: [2, 3] },
      ],
    });
    expect(out.unchanged_fields).toContain('name');
    expect(out.unchanged_fields).toContain('envs.A');
  });
});

describe('matchesRecord', () => {
  const r = record(1, base, {
    changed_fields: ['envs', 'replicas'],
    changes: { replicas: { old: 1, new: 2 }, envs: { old: {}, new: { HF_TOKEN: 'Secret' } } },
    actor: 'Bob',
  });

  it('searches changed field names, values (envs as JSON) and the actor, case-insensitively', () => {
    expect(matchesRecord({ search: 'REPLICAS' }, r)).toBe(true);
    expect(matchesRecord({ search: 'hf_token' }, r)).toBe(true);
    expect(matchesRecord({ search: 'secret' }, r)).toBe(true);
    expect(matchesRecord({ search: 'bob' }, r)).toBe(true);
    expect(matchesRecord({ search: 'image_tag' }, r)).toBe(false);
  });

  it('filters by fields (any of), operation type and an inclusive date range', () => {
    expect(matchesRecord({ fields: ['status', 'replicas'] }, r)).toBe(true);
    expect(matchesRecord({ fields: ['status'] }, r)).toBe(false);
    expect(matchesRecord({ operation_type: ['create', 'delete'] }, r)).toBe(false);
    expect(
      matchesRecord({ start_date: r.operation_timestamp, end_date: r.operation_timestamp }, r),
    ).toBe(true);
    expect(matchesRecord({ start_date: '2026-01-02T00:00:00.000Z' }, r)).toBe(false);
  });
});

describe('history list query', () => {
  it('defaults limit 50, sort by version desc and rejects unknown fields names', () => {
    // `offset` stays unset (0 is applied by the reader) so that `page` with `offset` is refused.
    expect(historyListQuerySchema.parse({})).toEqual({
      limit: 50,
      sort_by: 'version',
      sort_order: 'desc',
    });
    expect(historyListQuerySchema.safeParse({ fields: 'replicas,nope' }).success).toBe(false);
    expect(historyListQuerySchema.parse({ fields: 'replicas, envs' }).fields).toEqual([
      'replicas',
      'envs',
    ]);
    expect(historyListQuerySchema.safeParse({ limit: '1001' }).success).toBe(false);
  });
});

describe('HistoryStatsAccumulator', () => {
  it('totals by operation, ranks fields, counts per day and finds first and last change', () => {
    // Prepare
    const acc = new HistoryStatsAccumulator();
    const add = (
      version: number,
      op: HistoryRecord['operation_type'],
      ts: string,
      fields: string[],
    ) =>
      acc.add({
        history_id: 100 + version,
        version,
        operation_type: op,
        operation_timestamp: ts,
        actor: 'a',
        changed_fields: fields,
      });
    // Act: any order
    add(3, 'update', '2026-01-02T01:00:00.000Z', ['replicas']);
    add(1, 'create', '2026-01-01T01:00:00.000Z', ['name', 'replicas']);
    add(2, 'update', '2026-01-01T02:00:00.000Z', ['replicas', 'status']);
    const out = acc.result();
    // Assess
    expect(out.total_changes).toBe(3);
    expect(out.by_operation_type).toEqual({ create: 1, update: 2, delete: 0, restore: 0 });
    expect(out.most_changed_fields[0]).toEqual({ field: 'replicas', count: 3 });
    expect(out.changes_per_day).toEqual([
      { date: '2026-01-01', count: 2 },
      { date: '2026-01-02', count: 1 },
    ]);
    expect(out.first_change?.version).toBe(1);
    expect(out.last_change?.history_id).toBe(103);
  });
});

describe('restore input', () => {
  it('sets every mutable field, clears optional text the snapshot lacks, ignores bookkeeping', () => {
    const patch = restorePatch({ ...base, description: 'x' });
    expect(patch).toMatchObject({
      name: 'a',
      replicas: 1,
      envs: { A: '1', B: '2' },
      description: 'x',
      quantization: null,
    });
    expect(patch).not.toHaveProperty('version');
    expect(patch).not.toHaveProperty('id');
  });

  it('keeps the creation stamp and rejects a snapshot that is not a valid instance (422)', () => {
    const t = restoreTarget({ ...base });
    expect(t.created_at).toBe(base.created_at);
    expect(t.recreate()).toMatchObject({ name: 'a', model_name: 'm' });
    const { name: _n, ...noName } = base;
    expect(() => restoreTarget(noName).recreate()).toThrow(
      expect.objectContaining({ status: 422 }),
    );
    expect(() => restorePatch({ ...base, replicas: 1000 })).toThrow(
      expect.objectContaining({ status: 422 }),
    );
  });
});
