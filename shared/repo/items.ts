/**
 * The stored form of an instance and its conversions. Besides the API fields, an item carries
 * index keys (`name_lower`, `list_pk`), the key of the name claim it holds (`name_claim`) and the
 * metadata of its last change (`_op`, `_op_id`, `_restored_from`), which the stream turns into
 * history. A deleted instance is replaced by a tombstone (`deleted: true`) so the stream record
 * of the delete says who deleted it.
 */
import { createHash } from 'node:crypto';
import confusables from 'unhomoglyph/data.json' with { type: 'json' };
import { ALL_INSTANCES_PK } from '../config/tables.ts';
import { INSTANCE_FIELDS, nameKey, type Instance } from '../domain/instance.ts';

/**
 * Unicode TS #39 confusables.txt (source character → prototype), as packaged by `unhomoglyph`
 * (data 13.0.0). Only the data is used: its own function skips the NFD steps of the skeleton
 * and compiles a 6,300-branch regex at load.
 */
const PROTOTYPES: Readonly<Record<string, string>> = confusables;
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

/**
 * The TS #39 skeleton of the case-folded name (`nameKey`): NFD, default-ignorable code points
 * dropped, every character replaced by its confusables prototype, NFD again. Two names with the
 * same skeleton look alike (`paypal` with a Cyrillic `а`, `rn` and `m`, `l` and `1`). Not for
 * display: it mixes scripts and keeps no case.
 */
export function nameSkeleton(name: string): string {
  let out = '';
  for (const ch of nameKey(name).normalize('NFD')) {
    if (DEFAULT_IGNORABLE.test(ch)) continue;
    out += (Object.hasOwn(PROTOTYPES, ch) ? PROTOTYPES[ch] : undefined) ?? ch;
  }
  return out.normalize('NFD');
}

/**
 * A partition key holds at most 2,048 bytes and NFKC alone can grow a name 18-fold (U+FDFA is 18
 * characters), so a long skeleton is claimed by its hash; equality is all a claim needs.
 */
const MAX_CLAIM_KEY_BYTES = 1024;

/**
 * The meta-table key of the uniqueness claim for `name`: its skeleton, so one transaction
 * decides between two look-alike names created at the same time.
 */
export function nameClaimKey(name: string): string {
  const skeleton = nameSkeleton(name);
  return Buffer.byteLength(skeleton) <= MAX_CLAIM_KEY_BYTES
    ? `NAME#${skeleton}`
    : `NAME#sha256:${createHash('sha256').update(skeleton).digest('hex')}`;
}

/** The claim key items written before `name_claim` existed hold (NFKC, then toLowerCase). */
export const legacyNameClaimKey = (name: string): string =>
  `NAME#${name.normalize('NFKC').toLowerCase()}`;

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

export type ChangeOp = 'create' | 'update' | 'delete' | 'restore';

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

export const isTombstone = (item: Record<string, unknown>): boolean => item.deleted === true;

/** `nameClaim`: the claim the instance holds, when it keeps one taken under older rules. */
export function toItem(
  instance: Instance,
  op: ChangeOp,
  meta: ChangeMeta,
  nameClaim: string = nameClaimKey(instance.name),
): InstanceItem {
  return {
    ...instance,
    name_lower: sortKeyOf(instance.name),
    name_claim: nameClaim,
    list_pk: ALL_INSTANCES_PK,
    _op: op,
    _op_id: meta.opId,
    ...(meta.restoredFrom !== undefined ? { _restored_from: meta.restoredFrom } : {}),
    ...(meta.copiedFrom !== undefined ? { _copied_from: meta.copiedFrom } : {}),
    ...changeNotes(meta),
  };
}

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

/** The key of the name claim `instance` holds: its recorded one if it was read from the table. */
export function heldNameClaim(instance: Instance): string {
  const held = heldClaims.get(instance);
  if (held === undefined) return nameClaimKey(instance.name);
  return held ?? legacyNameClaimKey(instance.name);
}

/** The API view of a stored item: only the resource's own fields, in a stable order. */
export function toInstance(item: Record<string, unknown>): Instance {
  const out: Record<string, unknown> = {};
  for (const f of INSTANCE_FIELDS) {
    if (item[f] !== undefined) out[f] = item[f];
  }
  const instance = out as unknown as Instance;
  heldClaims.set(instance, typeof item.name_claim === 'string' ? item.name_claim : null);
  return instance;
}
