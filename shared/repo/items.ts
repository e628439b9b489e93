/**
 * The stored form of an instance and its conversions. Besides the API fields, an item carries
 * index keys (`name_lower`, `list_pk`), the key of the name claim it holds (`name_claim`) and the
 * metadata of its last change (`_op`, `_op_id`, `_restored_from`), which the stream turns into
 * history. A deleted instance is replaced by a tombstone (`deleted: true`) so the stream record
 * of the delete says who deleted it.
 */
import { instanceListPartition } from '../config/index-keys.ts';
import { nameKey } from '../domain/fields.ts';
import type { Instance } from '../domain/instance-schema.ts';
import { isTombstone, toInstance as instanceOf, type ChangeOp } from '../domain/change.ts';
import { legacyNameClaimKey, nameClaimKey } from './name-claim.ts';

export { isTombstone, type ChangeOp };
// The claim keys live in name-claim.ts (with the confusables table); re-exported for the
// repository and tests that take them from here.
export { legacyNameClaimKey, nameClaimKey, nameSkeleton } from './name-claim.ts';

/** A sort key holds at most 1,024 bytes: `name_lower` keeps the longest prefix that fits. */
const MAX_SORT_KEY_BYTES = 1024;

function sortKeyOf(name: string): string {
  const key = nameKey(name);
  if (Buffer.byteLength(key) <= MAX_SORT_KEY_BYTES) return key;
  let out = '';
  let bytes = 0;
  for (const ch of key) {
    bytes += Buffer.byteLength(ch);
    if (bytes > MAX_SORT_KEY_BYTES) break;
    out += ch;
  }
  return out;
}

export interface ChangeMeta {
  /** Principal that makes the change. */
  readonly actor: string;
  /** Request, batch or operation id shared by every record one call writes. */
  readonly opId: string;
  readonly restoredFrom?: number;
  /** Set when a long-running operation makes the change. */
  readonly operationId?: string;
  /** Why, in the caller's words (`X-Change-Reason`). */
  readonly reason?: string;
  /** The instance a copy was made from. */
  readonly copiedFrom?: number;
}

export interface InstanceItem extends Instance {
  name_lower: string;
  name_claim: string;
  list_pk: string;
  _op: ChangeOp;
  _op_id: string;
  _restored_from?: number;
  _operation_id?: string;
  _reason?: string;
  _copied_from?: number;
}

export interface TombstoneItem {
  id: number;
  deleted: true;
  version: number;
  deleted_at: string;
  deleted_by: string;
  _op: 'delete';
  _op_id: string;
  _operation_id?: string;
  _reason?: string;
}

export type StoredItem = InstanceItem | TombstoneItem;

/** The item of `instance`, which holds the name claim `nameClaim`. */
export function itemOf(
  instance: Instance,
  op: ChangeOp,
  meta: ChangeMeta,
  nameClaim: string,
): InstanceItem {
  return {
    ...instance,
    name_lower: sortKeyOf(instance.name),
    name_claim: nameClaim,
    list_pk: instanceListPartition(instance.id),
    _op: op,
    _op_id: meta.opId,
    ...(meta.restoredFrom !== undefined ? { _restored_from: meta.restoredFrom } : {}),
    ...(meta.copiedFrom !== undefined ? { _copied_from: meta.copiedFrom } : {}),
    ...changeNotes(meta),
  };
}

/** `itemOf`, by default with the claim of the instance's name. */
export const toItem = (
  instance: Instance,
  op: ChangeOp,
  meta: ChangeMeta,
  nameClaim: string = nameClaimKey(instance.name),
): InstanceItem => itemOf(instance, op, meta, nameClaim);

/** Who-and-why metadata every kind of change carries to its history record. */
const changeNotes = (meta: ChangeMeta) => ({
  ...(meta.operationId !== undefined ? { _operation_id: meta.operationId } : {}),
  ...(meta.reason !== undefined ? { _reason: meta.reason } : {}),
});

export function tombstone(prev: Instance, at: string, meta: ChangeMeta): TombstoneItem {
  return {
    id: prev.id,
    deleted: true,
    version: prev.version + 1,
    deleted_at: at,
    deleted_by: meta.actor,
    _op: 'delete',
    _op_id: meta.opId,
    ...changeNotes(meta),
  };
}

/**
 * The name claim each instance read from the table holds (`null`: an item from before
 * `name_claim`, which holds its legacy key). Kept beside the API view rather than in it, so the
 * view stays exactly the resource and every caller that plans a write from it (batches, bulk
 * operations) releases the claim the instance really holds without knowing about claims.
 */
const heldClaims = new WeakMap<Instance, string | null>();

/**
 * The key of the name claim `instance` holds: its recorded one if it was read from the table,
 * else `claimKeyOf` its name. Writers that never rename pass theirs in, so they do not bundle
 * the look-alike table for instances they always read first.
 */
export function heldClaimOf(instance: Instance, claimKeyOf: (name: string) => string): string {
  const held = heldClaims.get(instance);
  if (held === undefined) return claimKeyOf(instance.name);
  return held ?? legacyNameClaimKey(instance.name);
}

export const heldNameClaim = (instance: Instance): string => heldClaimOf(instance, nameClaimKey);

/**
 * The API view of a stored item (the domain's `toInstance`), remembering the name claim the
 * item holds for the writes planned from it (`heldNameClaim`).
 */
export function toInstance(item: Record<string, unknown>): Instance {
  const instance = instanceOf(item);
  heldClaims.set(instance, typeof item.name_claim === 'string' ? item.name_claim : null);
  return instance;
}
