/**
 * One item of a bulk operation, exactly once. An item is done when its stored instance says so
 * (`_operation_id` = this operation, on the live item or the tombstone), so a chunk redone after
 * a crash skips what it already finished. If the instance was changed by someone else after
 * this chunk began, the marker may have been overwritten: then the instance's history decides
 * (a record carrying this operation's id), read only once it has caught up with the instance.
 * Throttling and transient errors are retried with backoff; a lost optimistic race re-reads.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { AppError } from '../domain/errors.ts';
import type { UpdateInstanceInput } from '../domain/instance.ts';
import { isTombstone, toInstance, type ChangeMeta } from '../repo/items.ts';
import {
  RetryableConflict,
  sleep as realSleep,
  type InstanceWriter,
  type PlannedWrite,
} from '../repo/instance-writer.ts';
import { matches, type NormalizedQuery } from '../repo/instance-query.ts';
import { HistoryTable } from '../repo/history-table.ts';
import { isTransient, withBackoff, type BackoffOptions } from './retry.ts';
import type { ItemError, OperationFilter } from './model.ts';

export type ItemStatus =
  'updated' | 'unchanged' | 'skipped' | 'deleted' | 'not_found' | 'conflict' | 'invalid' | 'error';

/** Outcomes that count as success: an item already as asked, or no longer matching the filter. */
export const SUCCESS: readonly ItemStatus[] = ['updated', 'unchanged', 'skipped', 'deleted'];

export interface ItemOutcome {
  id: number;
  status: ItemStatus;
  error?: ItemError['error'];
}

export interface ChunkContext {
  operationId: string;
  actor: string;
  reason?: string;
  /** Changes at or after this instant may be this chunk's own (checkpoint time minus skew). */
  since: string;
  filter?: OperationFilter['query'];
}

/** Clock skew allowed between the function that checkpointed and the one writing items. */
export const CLOCK_SKEW_MS = 5_000;
/** Optimistic-lock races on one item before it is reported as a conflict. */
const MAX_RACES = 20;
/** How long to wait for the history writer to catch up before the chunk is retried later. */
const HISTORY_WAIT_ATTEMPTS = 20;
const HISTORY_WAIT_MS = 500;

export class HistoryNotCaughtUp extends Error {
  constructor(id: number) {
    super(`history of instance ${id} has not caught up; retry the chunk`);
    this.name = 'HistoryNotCaughtUp';
  }
}

export interface BulkExecutorOptions {
  backoff?: BackoffOptions;
  sleep?: (ms: number) => Promise<unknown>;
  onUnexpected?: (err: unknown, id: number) => void;
}

export class BulkExecutor {
  private readonly sleep: (ms: number) => Promise<unknown>;
  private readonly history: HistoryTable;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly instances: InstanceWriter,
    historyTable: string,
    private readonly opts: BulkExecutorOptions = {},
  ) {
    this.sleep = opts.sleep ?? realSleep;
    this.history = new HistoryTable(client, historyTable);
  }

  async update(id: number, patch: UpdateInstanceInput, ctx: ChunkContext): Promise<ItemOutcome> {
    return this.run(id, async () => {
      const raw = await this.instances.getItem(id);
      if (!raw) return notFound(id);
      const item = raw as unknown as Record<string, unknown>;
      if (item._operation_id === ctx.operationId) return { id, status: 'updated' };
      if (await this.changedByUsMeanwhile(id, item, ctx)) return { id, status: 'updated' };
      if (isTombstone(item)) return notFound(id, 'was deleted');
      const current = toInstance(item);
      if (ctx.filter && !matches(ctx.filter as NormalizedQuery, current)) {
        return { id, status: 'skipped' };
      }
      const plan = this.instances.planUpdate(current, patch, meta(ctx));
      if (!plan) return { id, status: 'unchanged' };
      return (await this.commit(plan)) ? { id, status: 'updated' } : 'race';
    });
  }

  async delete(id: number, ctx: ChunkContext): Promise<ItemOutcome> {
    return this.run(id, async () => {
      const raw = await this.instances.getItem(id);
      if (!raw) return notFound(id);
      const item = raw as unknown as Record<string, unknown>;
      if (isTombstone(item) && item._operation_id === ctx.operationId) {
        return { id, status: 'deleted' };
      }
      if (await this.changedByUsMeanwhile(id, item, ctx)) return { id, status: 'deleted' };
      if (isTombstone(item)) return notFound(id, 'was already deleted');
      const current = toInstance(item);
      // As for updates: the filter was evaluated when the operation was accepted; an instance
      // changed since so that it no longer matches is not what was asked to be deleted.
      if (ctx.filter && !matches(ctx.filter as NormalizedQuery, current)) {
        return { id, status: 'skipped' };
      }
      const plan = this.instances.planDelete(current, meta(ctx));
      return (await this.commit(plan)) ? { id, status: 'deleted' } : 'race';
    });
  }

  /** Retries transient errors (backoff) and lost races (fresh read); reports the rest. */
  private async run(id: number, step: () => Promise<ItemOutcome | 'race'>): Promise<ItemOutcome> {
    for (let races = 1; ; races++) {
      let outcome: ItemOutcome | 'race';
      try {
        outcome = await withBackoff(step, this.opts.backoff);
      } catch (err) {
        if (err instanceof AppError) {
          return { id, status: statusOf(err), error: { type: err.type, message: err.message } };
        }
        if (err instanceof HistoryNotCaughtUp || isTransientAfterBackoff(err)) throw err;
        this.opts.onUnexpected?.(err, id);
        return {
          id,
          status: 'error',
          error: { type: 'InternalError', message: 'The item could not be processed' },
        };
      }
      if (outcome !== 'race') return outcome;
      if (races >= MAX_RACES) {
        return {
          id,
          status: 'conflict',
          error: { type: 'Conflict', message: 'The instance kept changing concurrently' },
        };
      }
      await this.sleep(Math.random() * Math.min(200, 5 * races));
    }
  }

  /**
   * A single-item plan (an update that keeps the name) is a conditional Put: half the write
   * capacity of a one-item transaction. Anything else goes through the repository's commit.
   */
  private async commit(plan: PlannedWrite<unknown>): Promise<boolean> {
    const only = plan.items.length === 1 ? plan.items[0]?.Put : undefined;
    try {
      if (only) await this.client.send(new PutCommand(only as never));
      else await this.instances.commit([plan]);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || err instanceof RetryableConflict) {
        return false;
      }
      throw err;
    }
  }

  /**
   * True when this operation changed the instance already although the marker says otherwise:
   * possible only if the instance changed after the chunk began and not by us (the last change
   * wrote a different marker). History then holds the answer, once it has reached the
   * instance's current version.
   */
  private async changedByUsMeanwhile(
    id: number,
    item: Record<string, unknown>,
    ctx: ChunkContext,
  ): Promise<boolean> {
    const changedAt = String(item.updated_at ?? item.deleted_at ?? '');
    if (!changedAt || changedAt < ctx.since) return false;
    const version = Number(item.version);
    for (let wait = 0; wait < HISTORY_WAIT_ATTEMPTS; wait++) {
      const found = await this.historySince(id, ctx.since);
      if (found.some((r) => r.operation_id === ctx.operationId)) return true;
      if ((found[0]?.version ?? (await this.latestVersion(id))) >= version) return false;
      await this.sleep(HISTORY_WAIT_MS);
    }
    throw new HistoryNotCaughtUp(id);
  }

  /** This instance's history records at or after `since`, newest first. */
  private async historySince(
    id: number,
    since: string,
  ): Promise<{ version: number; operation_id?: string }[]> {
    const out: { version: number; operation_id?: string }[] = [];
    for await (const page of this.history.walk(
      { by: 'instance', instanceId: id },
      {
        ascending: false,
        pageSize: 50,
        projection: ['version', 'operation_id', 'operation_timestamp'],
        filter: { timestamp: { from: since } },
      },
    )) {
      out.push(...(page.items as { version: number; operation_id?: string }[]));
      // Newest first: a page that filtered out an older record means the rest are older too.
      if (page.items.length < page.scanned) break;
    }
    return out;
  }

  private async latestVersion(id: number): Promise<number> {
    const [latest] = await this.history.entries(
      { by: 'instance', instanceId: id },
      { ascending: false, max: 1, projection: ['version'] },
    );
    return Number(latest?.version ?? 0);
  }
}

const meta = (ctx: ChunkContext): ChangeMeta => ({
  actor: ctx.actor,
  opId: ctx.operationId,
  operationId: ctx.operationId,
  ...(ctx.reason !== undefined ? { reason: ctx.reason } : {}),
});

const notFound = (id: number, why = 'does not exist'): ItemOutcome => ({
  id,
  status: 'not_found',
  error: { type: 'NotFound', message: `Instance ${id} ${why}` },
});

function statusOf(err: AppError): ItemStatus {
  if (err.status === 404) return 'not_found';
  if (err.status === 409 || err.status === 412) return 'conflict';
  if (err.status === 422) return 'invalid';
  return 'error';
}

/** withBackoff gave up on a transient error: the chunk is retried by the stream instead. */
function isTransientAfterBackoff(err: unknown): boolean {
  return !(err instanceof AppError) && isTransient(err);
}
