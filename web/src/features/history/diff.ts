/** Field-by-field differences between two instance states; envs compared key by key. */
import { BOOKKEEPING_FIELDS, sameValue } from '../../../../shared/domain/instance.ts';
import type { Instance } from '../../../../client/index.ts';

export type DiffKind = 'added' | 'removed' | 'modified';

export interface DiffRow {
  /** A field, or `envs.KEY`. */
  path: string;
  left: unknown;
  right: unknown;
  kind: DiffKind;
}

const SKIP = new Set([...BOOKKEEPING_FIELDS, 'id']);
const FIELD_ORDER = [
  'name',
  'model_name',
  'model_version',
  'cluster_name',
  'image_tag',
  'status',
  'priority',
  'replicas',
  'pp',
  'cp',
  'tp',
  'workers',
  'task_concurrency',
  'pipeline_mode',
  'cuda_graph',
  'quantization',
  'vae_store_type',
  't5_store_type',
  'description',
];
const rank = (p: string) => {
  if (p.startsWith('envs.')) return 1000;
  const i = FIELD_ORDER.indexOf(p);
  return i < 0 ? 999 : i;
};

const kindOf = (l: unknown, r: unknown): DiffKind =>
  l === undefined ? 'added' : r === undefined ? 'removed' : 'modified';

export function diffSnapshots(left: Partial<Instance>, right: Partial<Instance>): DiffRow[] {
  const rows: DiffRow[] = [];
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const k of keys) {
    if (SKIP.has(k)) continue;
    const l = left[k as keyof Instance];
    const r = right[k as keyof Instance];
    if (k === 'envs') {
      const le = (l ?? {}) as Record<string, string>;
      const re = (r ?? {}) as Record<string, string>;
      for (const ek of new Set([...Object.keys(le), ...Object.keys(re)])) {
        const lv = Object.hasOwn(le, ek) ? le[ek] : undefined;
        const rv = Object.hasOwn(re, ek) ? re[ek] : undefined;
        if (lv !== rv) rows.push({ path: `envs.${ek}`, left: lv, right: rv, kind: kindOf(lv, rv) });
      }
      continue;
    }
    if (!sameValue(l, r)) rows.push({ path: k, left: l, right: r, kind: kindOf(l, r) });
  }
  return rows.sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
}

/** A change record's `changes` ({field: {old,new}}) as rows, envs expanded. */
export function changesToRows(
  changes: Record<string, { old?: unknown; new?: unknown }>,
): DiffRow[] {
  const left: Record<string, unknown> = {};
  const right: Record<string, unknown> = {};
  for (const [k, c] of Object.entries(changes)) {
    left[k] = c.old;
    right[k] = c.new;
  }
  return diffSnapshots(left as Partial<Instance>, right as Partial<Instance>);
}
