/**
 * Instance persistence (creating, restoring; changes and deletes in ./instance-writer.ts).
 * DynamoDB itself enforces every invariant:
 * - ids come from an atomic counter (UpdateItem ADD), never from a read-then-write;
 * - names are unique, ignoring case and look-alike characters, through name-claim items keyed
 *   by the name's skeletons (name-claim.ts `nameClaimKeys`) and written in the same transaction
 *   as the instance (renames move the claims, delete frees them);
 * - every write is conditional on the version read, so concurrent writers never lose an
 *   update: a blind update retries on a fresh read, an `If-Match` update fails with 412.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Instance } from '../domain/instance-schema.ts';
import type { CreateInstanceInput } from '../domain/instance.ts';
import { conflict, notFound, preconditionFailed } from '../domain/errors.ts';
import type { RestoreTarget } from '../domain/restore-target.ts';
import { InstanceWriter, NameTaken, checkVersion, type PlannedWrite } from './instance-writer.ts';
import { isTombstone, itemOf, toInstance, type ChangeMeta, type StoredItem } from './items.ts';
import { nameClaimKeys } from './name-claim.ts';

export const INSTANCE_COUNTER_KEY = 'COUNTER#instance_id';

/** A restore's demand on the instance's state: `If-Match: *` (exists), `If-None-Match: *` (deleted). */
export type RestoreState = 'exists' | 'deleted';

const isDeleted = (id: number) =>
  preconditionFailed('The instance is deleted: it has no current version to match', {
    id,
    deleted: true,
    'if-match':
      'a deleted instance has no current version; send If-None-Match: * to restore it only while it is deleted',
  });

const isNotDeleted = (id: number, version: number) =>
  preconditionFailed('The instance exists: If-None-Match: * restores only a deleted one', {
    id,
    current_version: version,
  });

export class InstanceRepository extends InstanceWriter {
  protected override claimKeysOf(name: string): readonly string[] {
    return nameClaimKeys(name);
  }

  async allocateId(): Promise<number> {
    const res = await this.client.send(
      new UpdateCommand({
        TableName: this.metaTable,
        Key: { pk: INSTANCE_COUNTER_KEY },
        UpdateExpression: 'ADD #value :one',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return res.Attributes?.value as number;
  }

  async create(input: CreateInstanceInput, meta: ChangeMeta): Promise<Instance> {
    const id = await this.allocateId();
    const plan = this.planCreate(id, input, meta);
    // DynamoDB cancels a transaction that meets another one in flight on the same item (two
    // creates of look-alike names share the claim item) with TransactionConflict: a lost race,
    // not an answer. Retried, the claim's condition decides (→ 409 naming the winner).
    await this.optimistically(id, undefined, () => this.commit([plan]));
    return plan.result;
  }

  planCreate(id: number, input: CreateInstanceInput, meta: ChangeMeta): PlannedWrite<Instance> {
    const now = this.clock().toISOString();
    const instance: Instance = {
      id,
      ...input,
      version: 1,
      created_at: now,
      updated_at: now,
      created_by: meta.actor,
      updated_by: meta.actor,
    };
    const claims = this.claimKeysOf(instance.name);
    return {
      items: [
        {
          Put: {
            TableName: this.tables.instances,
            Item: itemOf(instance, 'create', meta, claims),
            ConditionExpression: 'attribute_not_exists(id)',
          },
        },
        ...claims.map((key) => this.claimName(key, id)),
      ],
      result: instance,
      explain: (index) =>
        index >= 1
          ? new NameTaken(instance.name, claims[index - 1]!)
          : conflict(`Instance ${id} already exists`, { id }),
    };
  }

  /**
   * Sets instance `id` back to a history snapshot as a new version (SPEC §4 restore). A live
   * instance gets the snapshot's fields through `planUpdate(…, 'restore')`: a new version even
   * when nothing differs, so the audit trail shows every restore. A deleted instance (its
   * tombstone) is re-created under its old id, conditional on the tombstone still being
   * there, with its name claimed again (taken → 409). `expectedVersion` (If-Match) is checked
   * against the live version or, for a deleted instance, the version of its delete. A lost
   * race is retried on a fresh read, unless If-Match was sent (→ 412).
   */
  async restore(
    id: number,
    target: RestoreTarget,
    meta: ChangeMeta,
    expectedVersion?: number,
    state?: RestoreState,
  ): Promise<Instance> {
    return this.optimistically(id, expectedVersion, async () => {
      const item = await this.getItem(id);
      if (!item) throw notFound(`Instance ${id} not found`, { id });
      let plan: PlannedWrite<Instance>;
      if (isTombstone(item as unknown as Record<string, unknown>)) {
        const tomb = item as Extract<StoredItem, { deleted: true }>;
        // RFC 9110 §13.1.1: If-Match, `*` included, is false without a current representation.
        if (expectedVersion !== undefined || state === 'exists') throw isDeleted(id);
        plan = this.planRecreate(tomb, target, meta);
      } else {
        const current = toInstance(item as unknown as Record<string, unknown>);
        if (state === 'deleted') throw isNotDeleted(id, current.version);
        checkVersion(current, expectedVersion);
        plan = this.planUpdate(current, target.patch, meta, 'restore')!;
      }
      await this.commit([plan]);
      return plan.result;
    });
  }

  /** Re-creates a deleted instance from a snapshot: version = tombstone.version + 1. */
  planRecreate(
    tomb: Extract<StoredItem, { deleted: true }>,
    target: RestoreTarget,
    meta: ChangeMeta,
  ): PlannedWrite<Instance> {
    const now = this.clock().toISOString();
    const instance: Instance = {
      id: tomb.id,
      ...target.recreate(),
      version: tomb.version + 1,
      created_at: target.created_at ?? now,
      created_by: target.created_by ?? meta.actor,
      updated_at: now,
      updated_by: meta.actor,
    };
    const claims = this.claimKeysOf(instance.name);
    return {
      items: [
        {
          Put: {
            TableName: this.tables.instances,
            Item: itemOf(instance, 'restore', meta, claims),
            ConditionExpression: '#deleted = :true AND #version = :expected',
            ExpressionAttributeNames: { '#deleted': 'deleted', '#version': 'version' },
            ExpressionAttributeValues: { ':true': true, ':expected': tomb.version },
          },
        },
        ...claims.map((key) => this.claimName(key, tomb.id)),
      ],
      result: instance,
      explain: (index) => (index >= 1 ? new NameTaken(instance.name, claims[index - 1]!) : 'retry'),
    };
  }
}
