/**
 * Instance persistence. DynamoDB itself enforces every invariant:
 * - ids come from an atomic counter (UpdateItem ADD), never from a read-then-write;
 * - names are unique, ignoring case and look-alike characters, through a name-claim item keyed
 *   by the name's skeleton (items.ts `nameClaimKey`) and written in the same transaction as the
 *   instance (renames move the claim, delete frees it);
 * - every write is conditional on the version read, so concurrent writers never lose an
 *   update: a blind update retries on a fresh read, an `If-Match` update fails with 412.
 */
import {
  GetCommand,
  PutCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../aws/dynamo.ts';
import { nameKey } from '../domain/fields.ts';
import { OPTIONAL_TEXT_FIELDS, type Instance } from '../domain/instance-schema.ts';
import type { CreateInstanceInput, UpdateInstanceInput } from '../domain/instance.ts';
import { AppError, conflict, notFound, preconditionFailed } from '../domain/errors.ts';
import { diffSnapshots } from '../domain/diff.ts';
import type { RestoreTarget } from '../domain/history-query.ts';
import { InstanceReader } from './instance-reader.ts';
import {
  heldNameClaim,
  isTombstone,
  legacyNameClaimKey,
  nameClaimKey,
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
export { nameClaimKey };

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

export class InstanceRepository extends InstanceReader {
  constructor(
    client: DynamoDBDocumentClient,
    /** `meta` (counters, name claims) is needed by writers only. */
    tables: Pick<TableNames, 'instances'> & Partial<Pick<TableNames, 'meta'>>,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super(client, tables);
  }

  private get metaTable(): string {
    if (!this.tables.meta) throw new Error('InstanceRepository was built without the meta table');
    return this.tables.meta;
  }

  /**
   * The instance with this name (compared as uniqueness compares it), through its name claim:
   * two key reads, no scan. A claim that names another spelling than asked for is no match.
   */
  async getByNameOrThrow(name: string): Promise<Instance> {
    const claim = await this.client.send(
      new GetCommand({
        TableName: this.metaTable,
        Key: { pk: nameClaimKey(name) },
        ConsistentRead: true,
      }),
    );
    const id = claim.Item?.instance_id as number | undefined;
    const found = id === undefined ? undefined : await this.get(id);
    if (!found || nameKey(found.name) !== nameKey(name))
      throw notFound(`No instance is named "${name}"`, { name });
    return found;
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
    return {
      items: [
        {
          Put: {
            TableName: this.tables.instances,
            Item: toItem(instance, 'create', meta),
            ConditionExpression: 'attribute_not_exists(id)',
          },
        },
        this.claimName(nameClaimKey(instance.name), id),
      ],
      result: instance,
      explain: (index) =>
        index === 1
          ? new NameTaken(instance.name, nameClaimKey(instance.name))
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
    if (diffSnapshots(current, next).length === 0 && op === 'update') return null;
    next.version = current.version + 1;
    next.updated_at = this.clock().toISOString();
    next.updated_by = meta.actor;
    // The claim moves only when the new name no longer looks like the old one: a rename that
    // fixes a look-alike character (Cyrillic `а` → Latin `a`) keeps it.
    const held = heldNameClaim(current);
    const claim = nameClaimKey(next.name);
    const moved = claim !== nameClaimKey(current.name) && claim !== held;
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tables.instances,
          Item: toItem(next, op, meta, moved ? claim : held),
          ConditionExpression: '#version = :expected AND attribute_not_exists(deleted)',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': current.version },
        },
      },
    ];
    if (moved) items.push(this.releaseName(held, current.id), this.claimName(claim, current.id));
    return {
      items,
      result: next,
      explain: (index) => (index === 2 ? new NameTaken(next.name, claim) : 'retry'),
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
        this.releaseName(heldNameClaim(current), current.id),
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
        this.claimName(nameClaimKey(instance.name), tomb.id),
      ],
      result: instance,
      explain: (index) =>
        index === 1 ? new NameTaken(instance.name, nameClaimKey(instance.name)) : 'retry',
    };
  }

  private claimName(key: string, id: number): TransactItem {
    return {
      Put: {
        TableName: this.metaTable,
        Item: { pk: key, instance_id: id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private releaseName(key: string, id: number): TransactItem {
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

export interface NameClaimMigration {
  /** Instances that now hold the claim of their name's skeleton. */
  migrated: number;
  /** Instances left on their old claim because a look-alike holds the skeleton claim. */
  collisions: { id: number; name: string; existing_id?: number }[];
  /** Instances that changed while being migrated: run again. */
  retry: number[];
}

/**
 * Moves instances written before look-alike-aware claims (items without `name_claim`, which
 * hold `NAME#<NFKC, lower-cased>`) to the claim of their skeleton, one transaction each: claim
 * the skeleton, record it on the item, free the old claim. Until an instance is moved it keeps
 * working (its writes release the claim it holds, see items.ts `heldNameClaim`), but its name
 * blocks neither look-alikes nor other spellings of itself. Idempotent and safe beside live
 * traffic: every step is conditional. A collision (two look-alikes that both exist) is reported
 * and left as it is; a rename of one of the two resolves it.
 */
export async function migrateNameClaims(
  client: DynamoDBDocumentClient,
  tables: Pick<TableNames, 'instances' | 'meta'>,
): Promise<NameClaimMigration> {
  const out: NameClaimMigration = { migrated: 0, collisions: [], retry: [] };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tables.instances,
        FilterExpression: 'attribute_not_exists(name_claim) AND attribute_not_exists(deleted)',
        ProjectionExpression: 'id, #name, #version',
        ExpressionAttributeNames: { '#name': 'name', '#version': 'version' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const { id, name, version } = item as { id: number; name: string; version: number };
      const claim = nameClaimKey(name);
      const legacy = legacyNameClaimKey(name);
      const items: TransactItem[] = [
        {
          Update: {
            TableName: tables.instances,
            Key: { id },
            UpdateExpression: 'SET name_claim = :claim',
            ConditionExpression: '#version = :version AND attribute_not_exists(name_claim)',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':claim': claim, ':version': version },
          },
        },
      ];
      if (claim !== legacy) {
        items.push(
          {
            Put: {
              TableName: tables.meta,
              Item: { pk: claim, instance_id: id },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Delete: {
              TableName: tables.meta,
              Key: { pk: legacy },
              ConditionExpression: 'attribute_not_exists(pk) OR instance_id = :id',
              ExpressionAttributeValues: { ':id': id },
            },
          },
        );
      }
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
        out.migrated++;
      } catch (err) {
        if (!(err instanceof TransactionCanceledException)) throw err;
        if (err.CancellationReasons?.[1]?.Code !== 'ConditionalCheckFailed') {
          out.retry.push(id);
          continue;
        }
        const holder = await client.send(
          new GetCommand({ TableName: tables.meta, Key: { pk: claim }, ConsistentRead: true }),
        );
        const existing = holder.Item?.instance_id;
        out.collisions.push({
          id,
          name,
          ...(typeof existing === 'number' ? { existing_id: existing } : {}),
        });
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
