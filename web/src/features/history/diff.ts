/** Field-by-field differences between two instance states; envs compared key by key. */
import { MUTABLE_FIELDS } from '../../../../shared/domain/instance.ts';
import { diffSnapshots as diff, type Difference } from '../../../../shared/domain/diff.ts';
import type { Instance } from '../../../../client/index.ts';

export type DiffKind = Difference['type'];

export interface DiffRow {
  /** A field, or `envs.KEY`. */
  path: string;
  left: unknown;
  right: unknown;
  kind: DiffKind;
}

/** Rows in form order (the field table's), `envs` keys last. */
const rank = (p: string) => {
  if (p.startsWith('envs.')) return 1000;
  const i = (MUTABLE_FIELDS as readonly string[]).indexOf(p);
  return i < 0 ? 999 : i;
};

/** The API's own diff (shared/domain/diff.ts), `envs` key by key, as table rows. */
export function diffSnapshots(left: Partial<Instance>, right: Partial<Instance>): DiffRow[] {
  return differencesToRows(diff(left, right, { expand: ['envs'] }));
}

/** Differences as the API reports them (compare, restore preview) as table rows, form order. */
export function differencesToRows(differences: readonly Difference[]): DiffRow[] {
  return differences
    .map((d) => ({
      path: d.field,
      left: d.type === 'added' ? undefined : d.value1,
      right: d.type === 'removed' ? undefined : d.value2,
      kind: d.type,
    }))
    .sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
}

/**
 * A change record's `changes` ({field: {old,new}}) as rows, envs expanded. `null` (or no) old or
 * new value means the field was unset on that side: a create or restore sets every field
 * (`old: null`), a delete removes every one (`new: null`), an update may clear an optional
 * field. Left out of the snapshot diffed, the field shows as added or removed with its value;
 * passed on as `null` it would be a value of its own (`envs: null` "added", every field
 * "modified" to nothing).
 */
export function changesToRows(
  changes: Record<string, { old?: unknown; new?: unknown }>,
): DiffRow[] {
  const left: Record<string, unknown> = {};
  const right: Record<string, unknown> = {};
  for (const [k, c] of Object.entries(changes)) {
    if (c.old !== null && c.old !== undefined) left[k] = c.old;
    if (c.new !== null && c.new !== undefined) right[k] = c.new;
  }
  return diffSnapshots(left as Partial<Instance>, right as Partial<Instance>);
}
