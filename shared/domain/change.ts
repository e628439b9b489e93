/**
 * A change to an instance as its stored images show it: the kind of change a write records
 * (`_op`), the tombstone a delete leaves, and the instance an image holds. Pure: the repository
 * writes these images (shared/repo/items.ts); the history record is built from them and its
 * snapshot read back through `toInstance`.
 */
import { INSTANCE_FIELDS } from './fields.ts';
import type { Instance } from './instance.ts';

export type ChangeOp = 'create' | 'update' | 'delete' | 'restore';

/**
 * The kinds of change a history record names (`operation_type`). Declared here, below both
 * history.ts (the record schema) and the history query schemas and filters, so none imports
 * another for it.
 */
export const OPERATION_TYPES = [
  'create',
  'update',
  'delete',
  'restore',
] as const satisfies readonly ChangeOp[];

/** The windows history stats can cover (`time_range`), up to now. */
export const TIME_RANGES = ['24h', '7d', '30d', 'all'] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

/** True for the image a delete leaves in place of the instance (`deleted: true`). */
export const isTombstone = (item: Record<string, unknown>): boolean => item.deleted === true;

/** The instance an image holds: only the resource's own fields, in their stable order. */
export function toInstance(item: Record<string, unknown>): Instance {
  const out: Record<string, unknown> = {};
  for (const f of INSTANCE_FIELDS) {
    if (item[f] !== undefined) out[f] = item[f];
  }
  return out as unknown as Instance;
}
