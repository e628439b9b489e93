/**
 * The one snapshot diff (shared/domain/diff.ts) that history records, the update no-op check and
 * the compare endpoints share.
 */
import { describe, expect, it } from 'vitest';
import { diffSnapshots, fieldValues } from '../../shared/domain/diff.ts';
import { recordFromChange } from '../../shared/domain/history-record.ts';
import { batchCompare } from '../../shared/domain/history-batch-compare.ts';
import { compareSnapshots } from '../../shared/domain/history-compare.ts';
import { anInstance } from '../support/instance-fixture.ts';

describe('diffSnapshots', () => {
  it('reports changed, added and removed fields sorted by name, values null where unset', () => {
    // Prepare
    const before = anInstance({ replicas: 1, description: 'old', envs: { A: '1' } });
    const after = anInstance({ replicas: 3, quantization: 'fp8', envs: { A: '2' } });
    // Act
    const out = diffSnapshots(before, after);
    // Assess
    expect(out).toEqual([
      { field: 'description', value1: 'old', value2: null, type: 'removed' },
      { field: 'envs', value1: { A: '1' }, value2: { A: '2' }, type: 'modified' },
      { field: 'quantization', value1: null, value2: 'fp8', type: 'added' },
      { field: 'replicas', value1: 1, value2: 3, type: 'modified' },
    ]);
  });

  it('leaves out the id and the bookkeeping fields', () => {
    const before = anInstance();
    const after = anInstance({
      id: 2,
      version: 9,
      created_at: 'x',
      updated_at: 'y',
      created_by: 'p',
      updated_by: 'q',
    });
    expect(diffSnapshots(before, after)).toEqual([]);
  });

  it('treats an undefined value as unset and compares maps by their own keys', () => {
    const before = { description: undefined, envs: { toString: 'x' } };
    const after = { envs: { toString: 'x' } };
    expect(diffSnapshots(before, after)).toEqual([]);
    expect(diffSnapshots({ envs: {} }, { envs: { toString: 'x' } })).toHaveLength(1);
  });

  it('compares `expand` fields key by key, an absent map as an empty one', () => {
    const before = { envs: { A: '1', B: '2' } };
    const after = { envs: { B: '3', C: '4' } };
    expect(diffSnapshots(before, after, { expand: ['envs'] })).toEqual([
      { field: 'envs.A', value1: '1', value2: null, type: 'removed' },
      { field: 'envs.B', value1: '2', value2: '3', type: 'modified' },
      { field: 'envs.C', value1: null, value2: '4', type: 'added' },
    ]);
    expect(diffSnapshots({}, { envs: {} }, { expand: ['envs'] })).toEqual([]);
    expect(diffSnapshots({}, { envs: {} })).toEqual([
      { field: 'envs', value1: null, value2: {}, type: 'added' },
    ]);
  });

  it('sees a snapshot the way fieldValues lists it', () => {
    const values = fieldValues(anInstance({ envs: { K: 'v' } }), { expand: ['envs'] });
    expect(values.has('id')).toBe(false);
    expect(values.has('version')).toBe(false);
    expect(values.get('envs.K')).toBe('v');
    expect(values.has('envs')).toBe(false);
  });
});

describe('the callers agree on what changed', () => {
  it('history records, compare and batch compare report the same fields', () => {
    // Prepare: two stored images of one instance, one update apart
    const v1 = anInstance({ replicas: 1, status: 'active' });
    const v2 = anInstance({ replicas: 2, status: 'inactive', version: 2 });
    const image = (i: typeof v1) => ({ ...i, _op: 'update', _op_id: 'b' });
    // Act
    const record = recordFromChange(image(v1), image(v2));
    const compared = compareSnapshots(v1, v2);
    const batch = batchCompare([
      { ...record!, history_id: 1, snapshot: v1 },
      { ...record!, history_id: 2, snapshot: v2 },
    ]);
    // Assess
    expect(record!.changed_fields).toEqual(['replicas', 'status']);
    expect(record!.changes).toEqual({
      replicas: { old: 1, new: 2 },
      status: { old: 'active', new: 'inactive' },
    });
    expect(compared.map((d) => d.field)).toEqual(record!.changed_fields);
    expect(batch.comparisons[0]!.differences).toEqual(compared);
  });

  it('a delete record lists every field the instance had as removed', () => {
    const live = anInstance({ description: 'd' });
    const tombstone = { id: live.id, deleted: true, version: 2, _op: 'delete', _op_id: 'b' };
    const record = recordFromChange({ ...live }, tombstone);
    expect(record!.changes.description).toEqual({ old: 'd', new: null });
    expect(record!.changed_fields).not.toContain('id');
    expect(record!.changed_fields).not.toContain('version');
  });
});
