/**
 * The stored form of an instance and its conversions. Besides the API fields, an item carries
 * index keys (`name_lower`, `list_pk`) and the metadata of its last change (`_op`, `_op_id`,
 * `_restored_from`), which the stream turns into history. A deleted instance is replaced by a
 * tombstone (`deleted: true`) so the stream record of the delete says who deleted it.
 */
import { ALL_INSTANCES_PK } from '../config/tables.ts';
import { INSTANCE_FIELDS, nameKey, type Instance } from '../domain/instance.ts';

export type ChangeOp = 'create' | 'update' | 'delete' | 'restore';

export interface ChangeMeta {
  /** Principal that makes the change. */
  readonly actor: string;
  /** Request, batch or operation id shared by every record one call writes. */
  readonly opId: string;
  readonly restoredFrom?: number;
  /** Set when a long-running operation makes the change. */
  readonly operationId?: string;
}

export interface InstanceItem extends Instance {
  name_lower: string;
  list_pk: string;
  _op: ChangeOp;
  _op_id: string;
  _restored_from?: number;
  _operation_id?: string;
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
}

export type StoredItem = InstanceItem | TombstoneItem;

export const isTombstone = (item: Record<string, unknown>): boolean => item.deleted === true;

export function toItem(instance: Instance, op: ChangeOp, meta: ChangeMeta): InstanceItem {
  return {
    ...instance,
    name_lower: nameKey(instance.name),
    list_pk: ALL_INSTANCES_PK,
    _op: op,
    _op_id: meta.opId,
    ...(meta.restoredFrom !== undefined ? { _restored_from: meta.restoredFrom } : {}),
    ...(meta.operationId !== undefined ? { _operation_id: meta.operationId } : {}),
  };
}

export function tombstone(prev: Instance, at: string, meta: ChangeMeta): TombstoneItem {
  return {
    id: prev.id,
    deleted: true,
    version: prev.version + 1,
    deleted_at: at,
    deleted_by: meta.actor,
    _op: 'delete',
    _op_id: meta.opId,
    ...(meta.operationId !== undefined ? { _operation_id: meta.operationId } : {}),
  };
}

/** The API view of a stored item: only the resource's own fields, in a stable order. */
export function toInstance(item: Record<string, unknown>): Instance {
  const out: Record<string, unknown> = {};
  for (const f of INSTANCE_FIELDS) {
    if (item[f] !== undefined) out[f] = item[f];
  }
  return out as unknown as Instance;
}
