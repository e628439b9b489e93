/**
 * Batch delete, and what batch update (./batch-update.ts) shares with it. Default mode runs items independently with bounded concurrency (one
 * failing item does not stop the others); `atomic` plans every item first and commits them in
 * one DynamoDB transaction, reporting the item that blocked it.
 */
import { TransactGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { AppError, conflict, validationError } from '../domain/errors.ts';
import type { Instance } from '../domain/instance-schema.ts';
import { mapBounded } from '../aws/concurrency.ts';
import { isTombstone, toInstance, type ChangeMeta } from './items.ts';
import { RetryableConflict, type InstanceWriter, type PlannedWrite } from './instance-writer.ts';

export const MAX_BATCH = 100;
/** DynamoDB's limit on actions in one TransactWriteItems call. */
export const MAX_TRANSACTION_ACTIONS = 100;
export const CONCURRENCY = 8;
const ATOMIC_ATTEMPTS = 5;

const count = z.int().check(z.gte(0));

/** What a batch route answers: one result per item, in request order, and the totals. */
export const batchResultSchema = z.object({
  results: z.array(
    z.object({
      id: z.int(),
      /**
       * `unchanged`: the data changed nothing, so no new version and no history (like such a
       * PATCH).
       */
      status: z.enum([
        'deleted',
        'updated',
        'unchanged',
        'not_found',
        'conflict',
        'invalid',
        'error',
      ]),
      error: z.optional(
        z.object({
          type: z.string(),
          message: z.string(),
          details: z.optional(z.record(z.string(), z.unknown())),
        }),
      ),
    }),
  ),
  succeeded: count,
  failed: count,
});
export type BatchResult = z.output<typeof batchResultSchema>;
export type ItemResult = BatchResult['results'][number];
export type ItemStatus = ItemResult['status'];

/** Statuses that count as `succeeded`. */
const SUCCESS: readonly ItemStatus[] = ['deleted', 'updated', 'unchanged'];

export function statusOf(err: unknown): { status: ItemStatus; error: ItemResult['error'] } {
  if (err instanceof AppError) {
    const status: ItemStatus =
      err.status === 404
        ? 'not_found'
        : err.status === 409 || err.status === 412
          ? 'conflict'
          : err.status === 422
            ? 'invalid'
            : 'error';
    return {
      status,
      error: {
        type: err.type,
        message: err.message,
        ...(err.details ? { details: err.details } : {}),
      },
    };
  }
  return {
    status: 'error',
    error: { type: 'InternalError', message: 'The item could not be processed' },
  };
}

export function summarize(results: ItemResult[]): BatchResult {
  const succeeded = results.filter((r) => SUCCESS.includes(r.status)).length;
  return { results, succeeded, failed: results.length - succeeded };
}

/** Batch delete; BatchUpdateService (./batch-update.ts) adds updates. */
export class BatchService<R extends InstanceWriter = InstanceWriter> {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly instancesTable: string,
    protected readonly repo: R,
    protected readonly onUnexpected: (err: unknown) => void = () => undefined,
  ) {}

  async deleteEach(ids: readonly number[], meta: ChangeMeta): Promise<BatchResult> {
    const results = await mapBounded(ids, CONCURRENCY, async (id): Promise<ItemResult> => {
      try {
        await this.repo.delete(id, meta);
        return { id, status: 'deleted' };
      } catch (err) {
        if (!(err instanceof AppError)) this.onUnexpected(err);
        return { id, ...statusOf(err) };
      }
    });
    return summarize(results);
  }

  async deleteAtomic(ids: readonly number[], meta: ChangeMeta): Promise<BatchResult> {
    return this.atomically(ids, (current) => this.repo.planDelete(current, meta), 'deleted');
  }

  protected async atomically(
    ids: readonly number[],
    plan: (current: Instance, index: number) => PlannedWrite<unknown> | null,
    okStatus: ItemStatus,
  ): Promise<BatchResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.readAll(ids);
      const plans: { index: number; plan: PlannedWrite<unknown> }[] = [];
      ids.forEach((id, index) => {
        const item = current[index];
        if (!item) throw blocked(id, 'not_found', `Instance ${id} not found`);
        const p = plan(item, index);
        if (p) plans.push({ index, plan: p });
      });
      checkTransaction(
        plans.map((p) => p.plan),
        ids,
        plans.map((p) => p.index),
      );
      try {
        if (plans.length > 0) await this.repo.commit(plans.map((p) => p.plan));
        // An item without a plan changed nothing (an update to the values it already has).
        const planned = new Set(plans.map((p) => p.index));
        return summarize(
          ids.map((id, i) => ({ id, status: planned.has(i) ? okStatus : 'unchanged' })),
        );
      } catch (err) {
        const planIndex = (err as { planIndex?: number }).planIndex;
        const id = planIndex !== undefined ? ids[plans[planIndex]!.index] : undefined;
        if (err instanceof RetryableConflict && attempt < ATOMIC_ATTEMPTS) continue;
        if (err instanceof RetryableConflict)
          throw blocked(id!, 'concurrent_change', 'changed concurrently');
        if (err instanceof AppError && id !== undefined) throw blocked(id, 'conflict', err.message);
        throw err;
      }
    }
  }

  /** A consistent snapshot of the items (TransactGetItems, up to 100). */
  private async readAll(ids: readonly number[]): Promise<(Instance | undefined)[]> {
    const res = await this.client.send(
      new TransactGetCommand({
        TransactItems: ids.map((id) => ({ Get: { TableName: this.instancesTable, Key: { id } } })),
      }),
    );
    return (res.Responses ?? []).map((r) =>
      r.Item && !isTombstone(r.Item) ? toInstance(r.Item) : undefined,
    );
  }
}

export function blocked(id: number, reason: string, message: string): AppError {
  return conflict(`Atomic batch rejected: item ${id} blocked it (${reason})`, {
    id,
    reason,
    message,
  });
}

/** DynamoDB rejects a transaction over 100 actions or with two actions on one item. */
function checkTransaction(
  plans: PlannedWrite<unknown>[],
  ids: readonly number[],
  indexes: number[],
): void {
  const total = plans.reduce((n, p) => n + p.items.length, 0);
  if (total > MAX_TRANSACTION_ACTIONS) {
    throw validationError(
      `Atomic batch needs ${total} writes; one transaction holds at most ${MAX_TRANSACTION_ACTIONS}`,
      {
        items: `split the batch (deletes and renames take 2-5 writes per item)`,
      },
    );
  }
  const seen = new Map<string, number>();
  plans.forEach((p, i) => {
    for (const item of p.items) {
      const op = item.Put ?? item.Delete ?? item.Update ?? item.ConditionCheck;
      const keyObj = item.Put
        ? { pk: item.Put.Item?.pk, id: item.Put.Item?.id }
        : (op as { Key?: unknown }).Key;
      const key = `${op?.TableName}|${JSON.stringify(keyObj)}`;
      const other = seen.get(key);
      if (other !== undefined && other !== i) {
        throw blocked(
          ids[indexes[i]!]!,
          'conflict',
          `conflicts with item ${ids[indexes[other]!]} in the same batch (same name)`,
        );
      }
      seen.set(key, i);
    }
  });
}

/** Body and query schemas of the batch delete route (batch-update.ts has its own body). */
export const batchDeleteSchema = z.strictObject({
  ids: z.array(z.int().check(z.gte(1))).check(
    z.minLength(1),
    z.maxLength(MAX_BATCH),
    z.refine((ids) => new Set(ids).size === ids.length, 'must not contain duplicates'),
  ),
});

export const batchQuerySchema = z.strictObject({
  atomic: z._default(
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((v) => v === 'true'),
    ),
    false,
  ),
});
