import { describe, expect, it } from 'vitest';
import { changesToRows } from '../../web/src/features/history/diff.ts';

/** A record's `changes` as the API sends them (shared/domain/change.ts). */
const envs = { HF_HOME: '/models', TOKEN: 'x' };

describe('a history record’s changes as rows', () => {
  it('delete: every field removed, with its old value (envs key by key)', () => {
    const rows = changesToRows({
      name: { old: 'llama', new: null },
      replicas: { old: 2, new: null },
      envs: { old: envs, new: null },
    });
    expect(rows).toEqual([
      { path: 'name', left: 'llama', right: undefined, kind: 'removed' },
      { path: 'replicas', left: 2, right: undefined, kind: 'removed' },
      { path: 'envs.HF_HOME', left: '/models', right: undefined, kind: 'removed' },
      { path: 'envs.TOKEN', left: 'x', right: undefined, kind: 'removed' },
    ]);
  });

  it('create and restore of a deleted instance: every field added, with its new value', () => {
    const rows = changesToRows({
      name: { old: null, new: 'llama' },
      envs: { old: null, new: envs },
    });
    expect(rows).toEqual([
      { path: 'name', left: undefined, right: 'llama', kind: 'added' },
      { path: 'envs.HF_HOME', left: undefined, right: '/models', kind: 'added' },
      { path: 'envs.TOKEN', left: undefined, right: 'x', kind: 'added' },
    ]);
  });

  it('update: a changed value is modified, a cleared field removed, an env key added', () => {
    const rows = changesToRows({
      replicas: { old: 1, new: 4 },
      description: { old: 'old text', new: null },
      envs: { old: { A: '1' }, new: { A: '1', B: '2' } },
    });
    expect(rows.map((r) => [r.path, r.kind])).toEqual([
      ['replicas', 'modified'],
      ['description', 'removed'],
      ['envs.B', 'added'],
    ]);
  });
});
