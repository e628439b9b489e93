/**
 * Batch update: BatchService (./batch.ts) with updates. Apart from it so the batch delete route
 * bundles neither the instance update rules nor the look-alike table renames need.
 */
import * as z from 'zod/mini';
import { AppError, validationError } from '../domain/errors.ts';
import { updateInstanceSchema, type UpdateInstanceInput } from '../domain/instance.ts';
import { READ_ONLY_FIELDS } from '../domain/fields.ts';
import { issuesToDetails } from '../domain/validation.ts';
import { mapBounded } from '../aws/concurrency.ts';
import type { ChangeMeta } from './items.ts';
import type { InstanceRepository } from './instances.ts';
import {
  BatchService,
  CONCURRENCY,
  MAX_BATCH,
  blocked,
  statusOf,
  summarize,
  type BatchResult,
  type ItemResult,
} from './batch.ts';

export interface UpdateItemRequest {
  id: number;
  data: Record<string, unknown>;
  version?: number | undefined;
}

function parseData(data: Record<string, unknown>): UpdateInstanceInput {
  const parsed = updateInstanceSchema.safeParse(data);
  if (!parsed.success) {
    throw validationError(
      'Invalid update data',
      issuesToDetails(parsed.error.issues, data, READ_ONLY_FIELDS, updateInstanceSchema),
    );
  }
  return parsed.data;
}

export class BatchUpdateService extends BatchService<InstanceRepository> {
  async updateEach(updates: readonly UpdateItemRequest[], meta: ChangeMeta): Promise<BatchResult> {
    const results = await mapBounded(updates, CONCURRENCY, async (u): Promise<ItemResult> => {
      try {
        const { changed } = await this.repo.update(u.id, parseData(u.data), meta, u.version);
        return { id: u.id, status: changed ? 'updated' : 'unchanged' };
      } catch (err) {
        if (!(err instanceof AppError)) this.onUnexpected(err);
        return { id: u.id, ...statusOf(err) };
      }
    });
    return summarize(results);
  }

  async updateAtomic(
    updates: readonly UpdateItemRequest[],
    meta: ChangeMeta,
  ): Promise<BatchResult> {
    const invalid: Record<string, unknown> = {};
    const patches = updates.map((u) => {
      try {
        return parseData(u.data);
      } catch (err) {
        invalid[String(u.id)] = (err as AppError).details;
        return undefined;
      }
    });
    if (Object.keys(invalid).length > 0) {
      throw validationError('Atomic batch rejected: some items are invalid', { items: invalid });
    }
    return this.atomically(
      updates.map((u) => u.id),
      (current, i) => {
        const u = updates[i]!;
        if (u.version !== undefined && current.version !== u.version) {
          throw blocked(
            u.id,
            'version_mismatch',
            `expected version ${u.version}, current is ${current.version}`,
          );
        }
        return this.repo.planUpdate(current, patches[i]!, meta);
      },
      'updated',
    );
  }
}

export const batchUpdateSchema = z.strictObject({
  updates: z
    .array(
      z.strictObject({
        id: z.int().check(z.gte(1)),
        data: z.record(z.string(), z.unknown()),
        version: z.optional(z.int().check(z.gte(1))),
      }),
    )
    .check(
      z.minLength(1),
      z.maxLength(MAX_BATCH),
      z.refine(
        (u) => new Set(u.map((x) => x.id)).size === u.length,
        'must not contain duplicate ids',
      ),
    ),
});
