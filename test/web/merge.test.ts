import { describe, expect, it } from 'vitest';
import { emptyValues, envRow, type FormValues } from '../../web/src/features/instances/form.ts';
import {
  defaultChoices,
  flatten,
  resolve,
  threeWay,
  unflatten,
} from '../../web/src/features/instances/merge.ts';

const values = (over: Partial<FormValues>): FormValues => ({
  ...emptyValues(),
  name: 'a',
  model_name: 'm',
  cluster_name: 'c',
  image_tag: 't',
  ...over,
});

describe('three-way merge', () => {
  const base = values({
    replicas: 1,
    description: 'x',
    envs: [envRow('A', '1'), envRow('B', '2')],
  });
  const theirs = values({
    replicas: 2,
    description: 'x',
    tp: 4,
    envs: [envRow('A', '1'), envRow('B', '3')],
  });
  const mine = values({
    replicas: 3,
    description: 'mine',
    envs: [envRow('A', '9'), envRow('B', '2'), envRow('C', 'new')],
  });
  const rows = threeWay(flatten(base), flatten(theirs), flatten(mine));

  it('lists each changed field once, with who changed it, envs key by key', () => {
    expect(rows.map((r) => [r.path, r.state])).toEqual([
      ['replicas', 'conflict'],
      ['tp', 'theirs'],
      ['description', 'mine'],
      ['envs.A', 'mine'],
      ['envs.B', 'theirs'],
      ['envs.C', 'mine'],
    ]);
  });

  it('keeps both sides by default and the operator decides the conflicts', () => {
    const choices = defaultChoices(rows);
    expect(choices).toMatchObject({
      replicas: 'mine',
      tp: 'theirs',
      description: 'mine',
      'envs.B': 'theirs',
    });
    const merged = unflatten(
      resolve(flatten(theirs), rows, { ...choices, replicas: 'theirs' }),
      theirs,
    );
    expect(merged.replicas).toBe(2);
    expect(merged.tp).toBe(4);
    expect(merged.description).toBe('mine');
    expect(Object.fromEntries(merged.envs.map((r) => [r.key, r.value]))).toEqual({
      A: '9',
      B: '3',
      C: 'new',
    });
  });

  it('a field cleared on my side stays cleared when I keep mine', () => {
    const r = threeWay(flatten(base), flatten(base), flatten(values({ ...base, description: '' })));
    expect(r).toEqual([
      { path: 'description', base: 'x', theirs: 'x', mine: undefined, state: 'mine' },
    ]);
    expect(unflatten(resolve(flatten(base), r, defaultChoices(r)), base).description).toBe('');
  });

  it('the same change on both sides is not a conflict', () => {
    const r = threeWay(
      flatten(base),
      flatten(values({ ...base, replicas: 5 })),
      flatten(values({ ...base, replicas: 5 })),
    );
    expect(r.map((x) => x.state)).toEqual(['same']);
  });
});
