/**
 * The stored form of an instance and its conversions. Besides the API fields, an item carries
 * index keys (`name_lower`, `list_pk`), the keys of the name claims it holds (`name_claim`, and
 * `name_claim_cased` where the name has a second one: name-claim.ts `nameClaimKeys`) and the
 * metadata of its last change (`_op`, `_op_id`, `_restored_from`), which the stream turns into
 * history. A deleted instance is replaced by a tombstone (`deleted: true`) so the stream record
 * of the delete says who deleted it.
 */
import { instanceListPartition } from '../config/index-keys.ts';
import { nameKey } from '../domain/fields.ts';
import type { Instance } from '../domain/instance-schema.ts';
import { isTombstone, toInstance as instanceOf, type ChangeOp } from '../domain/change.ts';
import { legacyNameClaimKey, nameClaimKeys } from './name-claim.ts';

export { isTombstone, type ChangeOp };
// The claim keys live in name-claim.ts (with the confusables table); re-exported for the
// repository and tests that take them from here.
export { legacyNameClaimKey, nameClaimKey, nameClaimKeys, nameSkeleton } from './name-claim.ts';

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
  name_claim_cased?: string;
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

/** The item of `instance`, which holds the name claims `claims` (`nameClaimKeys`, or held ones). */
export function itemOf(
  instance: Instance,
  op: ChangeOp,
  meta: ChangeMeta,
  claims: readonly string[],
): InstanceItem {
  const [claim, cased] = claims;
  if (claim === undefined)
    throw new Error(`Instance ${instance.id} is written without a name claim`);
  return {
    ...instance,
    name_lower: sortKeyOf(instance.name),
    name_claim: claim,
    ...(cased !== undefined ? { name_claim_cased: cased } : {}),
    list_pk: instanceListPartition(instance.id),
    _op: op,
    _op_id: meta.opId,
    ...(meta.restoredFrom !== undefined ? { _restored_from: meta.restoredFrom } : {}),
    ...(meta.copiedFrom !== undefined ? { _copied_from: meta.copiedFrom } : {}),
    ...changeNotes(meta),
  };
}

/** `itemOf`, by default with the claims of the instance's name. */
export const toItem = (
  instance: Instance,
  op: ChangeOp,
  meta: ChangeMeta,
  claims: readonly string[] = nameClaimKeys(instance.name),
): InstanceItem => itemOf(instance, op, meta, claims);

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
 * The name claims each instance read from the table holds (`null`: an item from before
 * `name_claim`, which holds its legacy key). Kept beside the API view rather than in it, so the
 * view stays exactly the resource and every caller that plans a write from it (batches, bulk
 * operations) releases the claims the instance really holds without knowing about claims. An
 * item from before `name_claim_cased` holds its folded claim only.
 */
const heldClaims = new WeakMap<Instance, readonly string[] | null>();

/**
 * The keys of the name claims `instance` holds: its recorded ones if it was read from the
 * table, else `claimKeysOf` its name. Writers that never rename pass theirs in, so they do not
 * bundle the look-alike table for instances they always read first.
 */
export function heldClaimsOf(
  instance: Instance,
  claimKeysOf: (name: string) => readonly string[],
): readonly string[] {
  const held = heldClaims.get(instance);
  if (held === undefined) return claimKeysOf(instance.name);
  return held ?? [legacyNameClaimKey(instance.name)];
}

export const heldNameClaims = (instance: Instance): readonly string[] =>
  heldClaimsOf(instance, nameClaimKeys);

/**
 * The API view of a stored item (the domain's `toInstance`), remembering the name claims the
 * item holds for the writes planned from it (`heldNameClaims`).
 */
export function toInstance(item: Record<string, unknown>): Instance {
  const instance = instanceOf(item);
  const { name_claim: claim, name_claim_cased: cased } = item;
  heldClaims.set(
    instance,
    typeof claim !== 'string' ? null : typeof cased === 'string' ? [claim, cased] : [claim],
  );
  return instance;
}
