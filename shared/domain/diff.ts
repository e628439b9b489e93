/**
 * The one field-by-field diff of two instance snapshots. History records (what a change
 * changed), the update no-op check and the compare / batch-compare endpoints all use it, so they
 * agree on what counts as a change: the id and the bookkeeping fields are left out, a field
 * unset on one side differs from any value on the other, values are compared deeply.
 */
import { BOOKKEEPING_FIELDS, sameValue } from './fields.ts';
import type { Difference } from './difference.ts';

export { differenceSchema, type Difference } from './difference.ts';

/** The id never changes and every change moves the bookkeeping: neither is a difference. */
const NOT_DIFFED: ReadonlySet<string> = new Set(['id', ...BOOKKEEPING_FIELDS]);

export interface DiffOptions {
  /**
   * Map fields compared key by key, each key a field of its own named `field.KEY` (the compare
   * endpoints spread `envs` so); other fields are compared whole.
   */
  readonly expand?: readonly string[];
}

/**
 * A snapshot as `field → value`, the way `diffSnapshots` sees it: unset fields and the id and
 * bookkeeping left out, `expand` fields spread.
 */
export function fieldValues(
  snapshot: object,
  { expand = [] }: DiffOptions = {},
): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [field, value] of Object.entries(snapshot)) {
    if (NOT_DIFFED.has(field) || value === undefined) continue;
    if (expand.includes(field) && value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) out.set(`${field}.${key}`, v);
    } else out.set(field, value);
  }
  return out;
}

/** The fields that differ from `before` to `after`, sorted by field name. */
export function diffSnapshots(before: object, after: object, options?: DiffOptions): Difference[] {
  const a = fieldValues(before, options);
  const b = fieldValues(after, options);
  const out: Difference[] = [];
  for (const field of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const inA = a.has(field);
    const inB = b.has(field);
    const value1 = inA ? a.get(field) : null;
    const value2 = inB ? b.get(field) : null;
    if (inA && inB && sameValue(value1, value2)) continue;
    out.push({ field, value1, value2, type: !inA ? 'added' : !inB ? 'removed' : 'modified' });
  }
  return out;
}
