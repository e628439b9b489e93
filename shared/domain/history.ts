/**
 * History records, derived from instance stream records (never written by API handlers).
 * Pure functions: a stream change in, the record and the stats delta out.
 */
import { BOOKKEEPING_FIELDS, sameValue, type Instance } from './instance.ts';
import { isTombstone, toInstance, type ChangeOp } from '../repo/items.ts';

export interface HistoryRecord {
  history_id: number;
  instance_id: number;
  original_id: number;
  version: number;
  operation_type: ChangeOp;
  operation_timestamp: string;
  actor: string;
  changed_fields: string[];
  changes: Record<string, { old: unknown; new: unknown }>;
  snapshot: Partial<Instance>;
  restored_from?: number;
  /** Request / batch id shared by every record one API call produced. */
  batch_id: string;
  /** Set when a long-running operation made the change. */
  operation_id?: string;
  /** Why, as the caller said it (`X-Change-Reason`). */
  reason?: string;
  /** Set on a copy's first record: the instance it was copied from. */
  copied_from?: number;
}

/** A record before its history_id is allocated. */
export type PendingRecord = Omit<HistoryRecord, 'history_id'>;

type Image = Record<string, unknown>;

/** Field-by-field differences between two snapshots, bookkeeping left out. */
export function diff(
  before: Partial<Instance>,
  after: Partial<Instance>,
): { changed_fields: string[]; changes: HistoryRecord['changes'] } {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: HistoryRecord['changes'] = {};
  for (const k of keys) {
    if (k === 'id' || BOOKKEEPING_FIELDS.includes(k)) continue;
    const o = before[k as keyof Instance];
    const n = after[k as keyof Instance];
    if (!sameValue(o, n)) changes[k] = { old: o ?? null, new: n ?? null };
  }
  return { changed_fields: Object.keys(changes), changes };
}

/**
 * Builds the history record for one stream change, or null for changes that are not
 * instance changes (e.g. a tombstone removed by hand).
 */
export function recordFromChange(
  oldImage: Image | undefined,
  newImage: Image | undefined,
): PendingRecord | null {
  if (!newImage) return null;
  const op = newImage._op as ChangeOp | undefined;
  if (!op) return null;
  const before = oldImage && !isTombstone(oldImage) ? toInstance(oldImage) : {};
  const deleted = isTombstone(newImage);
  const after = deleted ? {} : toInstance(newImage);
  const id = Number(newImage.id);
  const { changed_fields, changes } = diff(before, after);
  return {
    instance_id: id,
    original_id: id,
    version: Number(newImage.version),
    operation_type: op,
    operation_timestamp: String(deleted ? newImage.deleted_at : newImage.updated_at),
    actor: String(deleted ? newImage.deleted_by : newImage.updated_by),
    changed_fields,
    changes,
    snapshot: deleted ? before : after,
    ...(newImage._restored_from !== undefined
      ? { restored_from: Number(newImage._restored_from) }
      : {}),
    batch_id: String(newImage._op_id ?? ''),
    ...(newImage._operation_id !== undefined
      ? { operation_id: String(newImage._operation_id) }
      : {}),
    ...(newImage._reason !== undefined ? { reason: String(newImage._reason) } : {}),
    ...(newImage._copied_from !== undefined ? { copied_from: Number(newImage._copied_from) } : {}),
  };
}

export const STATS_DIMENSIONS = ['status', 'priority', 'cluster_name', 'model_name'] as const;
const PREFIX: Record<(typeof STATS_DIMENSIONS)[number], string> = {
  status: 'status',
  priority: 'priority',
  cluster_name: 'cluster',
  model_name: 'model',
};

/** Counter deltas (attribute → +n/-n) that move the stats from `before` to `after`. */
export function statsDelta(
  before: Partial<Instance>,
  after: Partial<Instance>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  const bump = (k: string, n: number) => {
    delta[k] = (delta[k] ?? 0) + n;
    if (delta[k] === 0) delete delta[k];
  };
  const had = before.id !== undefined;
  const has = after.id !== undefined;
  if (had !== has) bump('total', has ? 1 : -1);
  for (const dim of STATS_DIMENSIONS) {
    const o = had ? before[dim] : undefined;
    const n = has ? after[dim] : undefined;
    if (o === n) continue;
    if (o !== undefined) bump(`${PREFIX[dim]}#${o}`, -1);
    if (n !== undefined) bump(`${PREFIX[dim]}#${n}`, 1);
  }
  return delta;
}

/** Shapes the stored stats item into the API response (zero counts left out). */
export function statsView(item: Record<string, unknown> | undefined) {
  const view = {
    total: 0,
    by_status: {} as Record<string, number>,
    by_priority: {} as Record<string, number>,
    by_cluster: {} as Record<string, number>,
    by_model: {} as Record<string, number>,
  };
  const target: Record<string, Record<string, number>> = {
    status: view.by_status,
    priority: view.by_priority,
    cluster: view.by_cluster,
    model: view.by_model,
  };
  for (const [k, v] of Object.entries(item ?? {})) {
    if (typeof v !== 'number') continue;
    if (k === 'total') view.total = v;
    const sep = k.indexOf('#');
    if (sep < 0 || v === 0) continue;
    const bucket = target[k.slice(0, sep)];
    if (bucket) bucket[k.slice(sep + 1)] = v;
  }
  return view;
}
