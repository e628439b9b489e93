/**
 * Changing and deleting instances, the part of InstanceRepository (./instances.ts) that never
 * needs a new name claim: the delete routes and bulk operations use it alone and so do not
 * bundle the look-alike table (./name-claim.ts). Every write is conditional on the version read,
 * so concurrent writers never lose an update: a blind update retries on a fresh read, an
 * `If-Match` update fails with 412. Renames move the name claims in the same transaction
 * (`claimKeysOf`, which InstanceRepository provides).
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../aws/dynamo.ts';
import { nameKey } from '../domain/fields.ts';
import { OPTIONAL_TEXT_FIELDS } from '../domain/fields.ts';
import type { Instance } from '../domain/instance-schema.ts';
import type { UpdateInstanceInput } from '../domain/instance.ts';
import { AppError, conflict, preconditionFailed } from '../domain/errors.ts';
import { diffSnapshots } from '../domain/diff.ts';
import { InstanceReader } from './instance-reader.ts';
import { heldClaimsOf, itemOf, tombstone, type ChangeMeta } from './items.ts';

export type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

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
  explain(index: number, code: string | undefined): AppError | NameTaken | 'retry';
}

export class InstanceWriter extends InstanceReader {
  constructor(
    client: DynamoDBDocumentClient,
    /** `meta` (counters, name claims) is needed by writers only. */
    tables: Pick<TableNames, 'instances'> & Partial<Pick<TableNames, 'meta'>>,
    protected readonly clock: () => Date = () => new Date(),
  ) {
    super(client, tables);
  }

  protected get metaTable(): string {
    if (!this.tables.meta)
      throw new Error(`${this.constructor.name} was built without the meta table`);
    return this.tables.meta;
  }

  /**
   * The claim keys of a name. Only a rename or a new instance needs them, and this class does
   * neither on its own: an InstanceRepository does.
   */
  protected claimKeysOf(name: string): readonly string[] {
    throw new Error(
      `${this.constructor.name} cannot claim the name "${name}": use InstanceRepository`,
    );
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
  protected async optimistically<T>(
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
    if (diffSnapshots(current, next).length === 0 && op === 'update') return null;
    next.version = current.version + 1;
    next.updated_at = this.clock().toISOString();
    next.updated_by = meta.actor;
    const held = heldClaimsOf(current, (name) => this.claimKeysOf(name));
    // The claims move only when the new name no longer looks like the old one: a rename that
    // fixes a look-alike character (Cyrillic `а` → Latin `a`) keeps them, and an unchanged name
    // keeps them without computing any (bulk writers cannot rename).
    const wanted = next.name === current.name ? held : this.claimKeysOf(next.name);
    const moved = wanted !== held && !sameKeys(wanted, this.claimKeysOf(current.name));
    const released = moved ? held.filter((key) => !wanted.includes(key)) : [];
    const claimed = moved ? wanted.filter((key) => !held.includes(key)) : [];
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tables.instances,
          Item: itemOf(next, op, meta, moved ? wanted : held),
          ConditionExpression: '#version = :expected AND attribute_not_exists(deleted)',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': current.version },
        },
      },
      ...released.map((key) => this.releaseName(key, current.id)),
      ...claimed.map((key) => this.claimName(key, current.id)),
    ];
    const firstClaim = 1 + released.length;
    return {
      items,
      result: next,
      explain: (index) =>
        index >= firstClaim ? new NameTaken(next.name, claimed[index - firstClaim]!) : 'retry',
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
        ...heldClaimsOf(current, (name) => this.claimKeysOf(name)).map((key) =>
          this.releaseName(key, current.id),
        ),
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
          if (code && code !== 'None')
            throw await this.described(explained(plan, planIndex, i, code));
        }
        offset += plan.items.length;
      }
      throw err;
    }
  }

  /** A taken name becomes a 409 naming the instance that holds the claim (one or two reads). */
  private async described(err: Error): Promise<Error> {
    if (!(err instanceof NameTaken)) return err;
    const claim = await this.client.send(
      new GetCommand({ TableName: this.metaTable, Key: { pk: err.claim }, ConsistentRead: true }),
    );
    const id = claim?.Item?.instance_id;
    const holder = typeof id === 'number' ? await this.get(id) : undefined;
    return Object.assign(nameTakenError(err.takenName, holder), { planIndex: err.planIndex });
  }

  protected claimName(key: string, id: number): TransactItem {
    return {
      Put: {
        TableName: this.metaTable,
        Item: { pk: key, instance_id: id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  protected releaseName(key: string, id: number): TransactItem {
    return {
      Delete: {
        TableName: this.metaTable,
        Key: { pk: key },
        ConditionExpression: 'instance_id = :id',
        ExpressionAttributeValues: { ':id': id },
      },
    };
  }
}

const sameKeys = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((key) => b.includes(key));

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

export function checkVersion(current: Instance, expected: number | undefined): void {
  if (expected !== undefined && current.version !== expected)
    throw versionMismatch(current.id, expected, current.version);
}

export const versionMismatch = (id: number, expected: number, current?: number) =>
  preconditionFailed('If-Match does not match the current version', {
    id,
    expected_version: expected,
    ...(current !== undefined ? { current_version: current } : {}),
  });

/**
 * A name claim was taken. Planning cannot read, so this carries the claim key and `commit` asks
 * the table whose claim it is before answering (`nameTakenError`).
 */
export class NameTaken extends Error {
  planIndex = 0;

  constructor(
    readonly takenName: string,
    readonly claim: string,
  ) {
    super(`name "${takenName}" is taken`);
    this.name = 'NameTaken';
  }
}

/**
 * 409 for a name whose claim `holder` holds: the same name in another case, or a look-alike.
 * Without a holder (it was renamed or deleted meanwhile) only the name is known.
 */
export function nameTakenError(name: string, holder?: Pick<Instance, 'id' | 'name'>): AppError {
  const err = describeNameTaken(name, holder);
  nameTakenErrors.add(err);
  return err;
}

/** The 409s of `nameTakenError`, so callers can tell "name taken" from other conflicts. */
const nameTakenErrors = new WeakSet<Error>();
export const isNameTakenError = (err: unknown): boolean =>
  err instanceof Error && nameTakenErrors.has(err);

function describeNameTaken(name: string, holder?: Pick<Instance, 'id' | 'name'>): AppError {
  if (!holder)
    return conflict(
      `An instance named "${name}" already exists (names are compared ignoring case and look-alike characters)`,
      { name },
    );
  const details = { name, existing_id: holder.id, existing_name: holder.name };
  return nameKey(holder.name) === nameKey(name)
    ? conflict(
        `An instance named "${holder.name}" already exists (instance ${holder.id}; names are compared ignoring case)`,
        details,
      )
    : conflict(
        `The name "${name}" looks the same as "${holder.name}" (instance ${holder.id}); names that differ only in look-alike characters are refused`,
        details,
      );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
