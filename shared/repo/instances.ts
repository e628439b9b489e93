/**
 * Instance persistence. DynamoDB itself enforces every invariant:
 * - ids come from an atomic counter (UpdateItem ADD), never from a read-then-write;
 * - names are unique case-insensitively through a name-claim item written in the same
 *   transaction as the instance (renames move the claim, delete frees it);
 * - every write is conditional on the version read, so concurrent writers never lose an
 *   update: a blind update retries on a fresh read, an `If-Match` update fails with 412.
 */
import { batchGetAll } from '../aws/batch-get.ts';
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../aws/dynamo.ts';
import {
  changedFields,
  nameKey,
  OPTIONAL_TEXT_FIELDS,
  type CreateInstanceInput,
  type Instance,
  type UpdateInstanceInput,
} from '../domain/instance.ts';
import { AppError, conflict, notFound, preconditionFailed } from '../domain/errors.ts';
import {
  isTombstone,
  toInstance,
  toItem,
  tombstone,
  type ChangeMeta,
  type StoredItem,
} from './items.ts';

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

export const INSTANCE_COUNTER_KEY = 'COUNTER#instance_id';
export const nameClaimKey = (name: string) => `NAME#${nameKey(name)}`;

/** How often a blind update re-reads and retries after losing a race. */
const MAX_UPDATE_ATTEMPTS = 40;

export interface UpdateResult {
  instance: Instance;
  changed: boolean;
}

/** A prepared write: the transaction items plus what the caller gets back when it commits. */
export interface PlannedWrite<T> {
  items: TransactItem[];
  result: T;
  /** Maps a cancellation reason at `index` to the error to report. */
  explain(index: number, code: string | undefined): AppError | 'retry';
}

export class InstanceRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    /** `meta` (counters, name claims) is needed by writers only. */
    private readonly tables: Pick<TableNames, 'instances'> & Partial<Pick<TableNames, 'meta'>>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private get metaTable(): string {
    if (!this.tables.meta) throw new Error('InstanceRepository was built without the meta table');
    return this.tables.meta;
  }

  async get(id: number): Promise<Instance | undefined> {
    const item = await this.getItem(id);
    return item && !isTombstone(item as unknown as Record<string, unknown>)
      ? toInstance(item as unknown as Record<string, unknown>)
      : undefined;
  }

  async getOrThrow(id: number): Promise<Instance> {
    const found = await this.get(id);
    if (!found) throw notFound(`Instance ${id} not found`, { id });
    return found;
  }

  /** Strongly consistent read of the stored item, tombstones included. */
  async getItem(id: number): Promise<StoredItem | undefined> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tables.instances, Key: { id }, ConsistentRead: true }),
    );
    return res.Item as StoredItem | undefined;
  }

  /** Eventually consistent multi-get in the order of `ids`; missing and deleted ids are skipped. */
  async getMany(ids: readonly number[]): Promise<Instance[]> {
    const items = await batchGetAll(
      this.client,
      this.tables.instances,
      ids.map((id) => ({ id })),
    );
    const found = new Map(
      items
        .filter((item) => !isTombstone(item))
        .map((item) => [item.id as number, toInstance(item)]),
    );
    return ids.flatMap((id) => found.get(id) ?? []);
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
    await this.commit([plan]);
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
    return {
      items: [
        {
          Put: {
            TableName: this.tables.instances,
            Item: toItem(instance, 'create', meta),
            ConditionExpression: 'attribute_not_exists(id)',
          },
        },
        this.claimName(instance.name, id),
      ],
      result: instance,
      explain: (index) =>
        index === 1
          ? duplicateName(instance.name)
          : conflict(`Instance ${id} already exists`, { id }),
    };
  }

  /**
   * Partial update. Without `expectedVersion` a lost race is retried on a fresh read, so
   * concurrent blind updates all land, each as its own version.
   */
  async update(
    id: number,
    patch: UpdateInstanceInput,
    meta: ChangeMeta,
    expectedVersion?: number,
  ): Promise<UpdateResult> {
    return this.optimistically(id, expectedVersion, async () => {
      const current = await this.getOrThrow(id);
      checkVersion(current, expectedVersion);
      const plan = this.planUpdate(current, patch, meta);
      if (!plan) return { instance: current, changed: false };
      await this.commit([plan]);
      return { instance: plan.result, changed: true };
    });
  }

  /**
   * Runs read → plan → conditional commit until it commits. A lost race re-reads and retries
   * (with jitter) unless the caller pinned a version with If-Match, which then answers 412.
   */
  private async optimistically<T>(
    id: number,
    expectedVersion: number | undefined,
    attempt: () => Promise<T>,
  ): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof RetryableConflict)) throw err;
        if (expectedVersion !== undefined) throw versionMismatch(id, expectedVersion);
        if (n >= MAX_UPDATE_ATTEMPTS) {
          throw conflict('The instance is being changed concurrently; retry the request', { id });
        }
        await sleep(Math.random() * Math.min(200, 5 * n));
      }
    }
  }

  /** Plans the write that turns `current` into `current + patch`, or null if nothing changes. */
  planUpdate(
    current: Instance,
    patch: UpdateInstanceInput,
    meta: ChangeMeta,
    op: 'update' | 'restore' = 'update',
  ): PlannedWrite<Instance> | null {
    const next = applyPatch(current, patch);
    if (changedFields(current, next).length === 0 && op === 'update') return null;
    next.version = current.version + 1;
    next.updated_at = this.clock().toISOString();
    next.updated_by = meta.actor;
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tables.instances,
          Item: toItem(next, op, meta),
          ConditionExpression: '#version = :expected AND attribute_not_exists(deleted)',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': current.version },
        },
      },
    ];
    const renamed = nameKey(current.name) !== nameKey(next.name);
    if (renamed) {
      items.push(this.releaseName(current.name, current.id), this.claimName(next.name, current.id));
    }
    return {
      items,
      result: next,
      explain: (index) => (index === 2 ? duplicateName(next.name) : 'retry'),
    };
  }

  async delete(id: number, meta: ChangeMeta, expectedVersion?: number): Promise<void> {
    await this.optimistically(id, expectedVersion, async () => {
      const current = await this.getOrThrow(id);
      checkVersion(current, expectedVersion);
      await this.commit([this.planDelete(current, meta)]);
    });
  }

  planDelete(current: Instance, meta: ChangeMeta): PlannedWrite<number> {
    return {
      items: [
        {
          Put: {
            TableName: this.tables.instances,
            Item: tombstone(current, this.clock().toISOString(), meta),
            ConditionExpression: '#version = :expected AND attribute_not_exists(deleted)',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': current.version },
          },
        },
        this.releaseName(current.name, current.id),
      ],
      result: current.id,
      explain: () => 'retry',
    };
  }

  /**
   * Commits planned writes as one DynamoDB transaction (all or nothing). Cancellation reasons
   * are mapped back to the plan that caused them; a lost race surfaces as RetryableConflict.
   */
  async commit(plans: readonly PlannedWrite<unknown>[]): Promise<void> {
    const items = plans.flatMap((p) => p.items);
    const only = items.length === 1 ? items[0]?.Put : undefined;
    if (only) {
      // One conditional item needs no transaction: a conditional Put costs half the WCU.
      try {
        await this.client.send(new PutCommand(only));
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        throw explained(plans[0]!, 0, 0, 'ConditionalCheckFailed');
      }
      return;
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const reasons = err.CancellationReasons ?? [];
      let offset = 0;
      for (const [planIndex, plan] of plans.entries()) {
        for (let i = 0; i < plan.items.length; i++) {
          const code = reasons[offset + i]?.Code;
          if (code && code !== 'None') throw explained(plan, planIndex, i, code);
        }
        offset += plan.items.length;
      }
      throw err;
    }
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
  ): Promise<Instance> {
    return this.optimistically(id, expectedVersion, async () => {
      const item = await this.getItem(id);
      if (!item) throw notFound(`Instance ${id} not found`, { id });
      let plan: PlannedWrite<Instance>;
      if (isTombstone(item as unknown as Record<string, unknown>)) {
        const tomb = item as Extract<StoredItem, { deleted: true }>;
        if (expectedVersion !== undefined && tomb.version !== expectedVersion)
          throw versionMismatch(id, expectedVersion, tomb.version);
        plan = this.planRecreate(tomb, target, meta);
      } else {
        const current = toInstance(item as unknown as Record<string, unknown>);
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
    return {
      items: [
        {
          Put: {
            TableName: this.tables.instances,
            Item: toItem(instance, 'restore', meta),
            ConditionExpression: '#deleted = :true AND #version = :expected',
            ExpressionAttributeNames: { '#deleted': 'deleted', '#version': 'version' },
            ExpressionAttributeValues: { ':true': true, ':expected': tomb.version },
          },
        },
        this.claimName(instance.name, tomb.id),
      ],
      result: instance,
      explain: (index) => (index === 1 ? duplicateName(instance.name) : 'retry'),
    };
  }

  private claimName(name: string, id: number): TransactItem {
    return {
      Put: {
        TableName: this.metaTable,
        Item: { pk: nameClaimKey(name), instance_id: id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private releaseName(name: string, id: number): TransactItem {
    return {
      Delete: {
        TableName: this.metaTable,
        Key: { pk: nameClaimKey(name) },
        ConditionExpression: 'instance_id = :id',
        ExpressionAttributeValues: { ':id': id },
      },
    };
  }
}

/** The error for a failed condition of item `index` of `plan` (the plan's own explanation). */
function explained(
  plan: PlannedWrite<unknown>,
  planIndex: number,
  index: number,
  code: string,
): Error {
  if (code === 'TransactionConflict') return new RetryableConflict(planIndex);
  const e = plan.explain(index, code);
  return e === 'retry' ? new RetryableConflict(planIndex) : Object.assign(e, { planIndex });
}

/** A conditional write lost a race with another writer; `planIndex` says which plan. */
export class RetryableConflict extends Error {
  constructor(readonly planIndex: number) {
    super('version changed concurrently');
    this.name = 'RetryableConflict';
  }
}

export function applyPatch(current: Instance, patch: UpdateInstanceInput): Instance {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null && (OPTIONAL_TEXT_FIELDS as readonly string[]).includes(key))
      delete next[key];
    else next[key] = value;
  }
  return next as unknown as Instance;
}

function checkVersion(current: Instance, expected: number | undefined): void {
  if (expected !== undefined && current.version !== expected)
    throw versionMismatch(current.id, expected, current.version);
}

const versionMismatch = (id: number, expected: number, current?: number) =>
  preconditionFailed('If-Match does not match the current version', {
    id,
    expected_version: expected,
    ...(current !== undefined ? { current_version: current } : {}),
  });

const duplicateName = (name: string) =>
  conflict(`An instance named "${name}" already exists (names are case-insensitive)`, { name });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a restore sets an instance to (built from a history snapshot, see history-query.ts). */
export interface RestoreTarget {
  /** For a live instance: every mutable field, optional ones absent in the snapshot cleared. */
  readonly patch: UpdateInstanceInput;
  /** For a deleted instance: the fields to re-create it with (validated when called). */
  readonly recreate: () => CreateInstanceInput;
  /** The original creation stamp, kept when a deleted instance is re-created. */
  readonly created_at?: string | undefined;
  readonly created_by?: string | undefined;
}
