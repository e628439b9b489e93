/**
 * A stream change as history: the record one change of an instance's stored image makes, the
 * stats counter deltas it moves, and a stored history item read back as the API's record. Pure, and free of zod schemas (the record's shape is
 * declared in ./history.ts, its type imported from there): the history writer, which runs on
 * every instance change, bundles no schema it never parses with.
 */
import type { HistoryRecord, PendingRecord } from './history.ts';
import type { Instance } from './instance.ts';
import { diffSnapshots } from './diff.ts';
import { isTombstone, toInstance } from './change.ts';

type Image = Record<string, unknown>;

/**
 * Builds the history record for one stream change, or null for changes that are not
 * instance changes (e.g. a tombstone removed by hand).
 */
export function recordFromChange(
  oldImage: Image | undefined,
  newImage: Image | undefined,
): PendingRecord | null {
  if (!newImage) return null;
  const op = newImage._op as HistoryRecord['operation_type'] | undefined;
  if (!op) return null;
  const before = oldImage && !isTombstone(oldImage) ? toInstance(oldImage) : {};
  const deleted = isTombstone(newImage);
  const after = deleted ? {} : toInstance(newImage);
  const id = Number(newImage.id);
  const differences = diffSnapshots(before, after);
  return {
    instance_id: id,
    original_id: id,
    version: Number(newImage.version),
    operation_type: op,
    operation_timestamp: String(deleted ? newImage.deleted_at : newImage.updated_at),
    actor: String(deleted ? newImage.deleted_by : newImage.updated_by),
    changed_fields: differences.map((d) => d.field),
    changes: Object.fromEntries(
      differences.map((d) => [d.field, { old: d.value1, new: d.value2 }]),
    ),
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

export const RECORD_KEYS = [
  'history_id',
  'instance_id',
  'original_id',
  'version',
  'operation_type',
  'operation_timestamp',
  'actor',
  'changed_fields',
  'changes',
  'snapshot',
  'restored_from',
  'batch_id',
  'operation_id',
  'reason',
  'copied_from',
] as const;

/** The API view of a stored history item: index keys (`h_pk`, `day`, `ts_key`) left out. */
export function toRecord(item: Record<string, unknown>): HistoryRecord {
  const out: Record<string, unknown> = {};
  for (const k of RECORD_KEYS) if (item[k] !== undefined) out[k] = item[k];
  // DynamoDB maps do not keep key order: give `changes` the (sorted) order of changed_fields
  // and the snapshot the resource's field order, so equal records serialise alike.
  const fields = (out.changed_fields ?? []) as string[];
  const changes = (out.changes ?? {}) as Record<string, { old: unknown; new: unknown }>;
  out.changed_fields = fields;
  out.changes = Object.fromEntries(
    [...new Set([...fields, ...Object.keys(changes).sort()])]
      .filter((k) => Object.hasOwn(changes, k))
      .map((k) => [k, { old: changes[k]!.old, new: changes[k]!.new }]),
  );
  out.snapshot = toInstance((out.snapshot ?? {}) as Record<string, unknown>);
  return out as unknown as HistoryRecord;
}
