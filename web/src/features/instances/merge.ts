/**
 * Three-way merge after a 412: the version the edit started from (base), the current one
 * (theirs) and the form (mine), field by field, with envs key by key (`envs.KEY`). A field only
 * one side changed takes that side; a field both changed differently is a conflict the
 * operator decides.
 */
import { sameValue } from '../../../../shared/domain/instance.ts';
import { envRow, type FormValues } from './form.ts';

export type Flat = Record<string, unknown>;
export type MergeState = 'mine' | 'theirs' | 'same' | 'conflict';
export type Choice = 'mine' | 'theirs';

export interface MergeRow {
  path: string;
  base: unknown;
  theirs: unknown;
  mine: unknown;
  state: MergeState;
}

/** Form values flattened: envs as `envs.KEY`, empty optional text as absent. */
export function flatten(v: FormValues): Flat {
  const out: Flat = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === 'envs') continue;
    if (val === '' || val === undefined) continue;
    out[k] = val;
  }
  for (const r of v.envs) if (r.key !== '') out[`envs.${r.key}`] = r.value;
  return out;
}

/**
 * Whether the form holds anything not in `from`: a changed field, or an env row with a value
 * typed but no key yet, which flatten() cannot place and leaving would lose all the same.
 */
export function hasUnsavedChanges(values: FormValues, from: FormValues): boolean {
  return (
    !sameValue(flatten(values), flatten(from)) ||
    values.envs.some((r) => r.key === '' && r.value !== '')
  );
}

export function unflatten(flat: Flat, template: FormValues): FormValues {
  const out = { ...template, envs: [] as FormValues['envs'] } as FormValues & Flat;
  for (const k of Object.keys(template)) {
    if (k === 'envs') continue;
    const val = flat[k];
    (out as Flat)[k] =
      val === undefined ? (typeof template[k as keyof FormValues] === 'boolean' ? false : '') : val;
  }
  for (const [k, val] of Object.entries(flat)) {
    if (k.startsWith('envs.')) out.envs.push(envRow(k.slice(5), String(val)));
  }
  return out;
}

/** Every path someone changed, in field order (envs keys last, sorted). */
export function threeWay(base: Flat, theirs: Flat, mine: Flat): MergeRow[] {
  const paths = [...new Set([...Object.keys(base), ...Object.keys(theirs), ...Object.keys(mine)])];
  const rows: MergeRow[] = [];
  for (const path of paths) {
    const b = base[path];
    const t = theirs[path];
    const m = mine[path];
    const theyChanged = !sameValue(b, t);
    const iChanged = !sameValue(b, m);
    if (!theyChanged && !iChanged) continue;
    const state: MergeState =
      theyChanged && iChanged
        ? sameValue(t, m)
          ? 'same'
          : 'conflict'
        : iChanged
          ? 'mine'
          : 'theirs';
    rows.push({ path, base: b, theirs: t, mine: m, state });
  }
  const fieldOrder = [
    ...new Set([...Object.keys(base), ...Object.keys(theirs), ...Object.keys(mine)]),
  ];
  const rank = (p: string) => (p.startsWith('envs.') ? Infinity : fieldOrder.indexOf(p));
  return rows.sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
}

/** Non-conflicting rows take the side that changed them; conflicts default to mine. */
export function defaultChoices(rows: MergeRow[]): Record<string, Choice> {
  return Object.fromEntries(rows.map((r) => [r.path, r.state === 'theirs' ? 'theirs' : 'mine']));
}

/** Theirs (the current version) with the rows chosen as "mine" applied. */
export function resolve(theirs: Flat, rows: MergeRow[], choices: Record<string, Choice>): Flat {
  const out: Flat = { ...theirs };
  for (const r of rows) {
    if ((choices[r.path] ?? 'mine') !== 'mine') continue;
    if (r.mine === undefined) delete out[r.path];
    else out[r.path] = r.mine;
  }
  return out;
}
