/**
 * Accepting an operation: resolve its targets, check them against what the caller expected,
 * store it pending; the worker does the rest.
 */
import { randomUUID } from 'node:crypto';
import { ALL_OPERATIONS_PK } from '../config/index-keys.ts';
import { conflict } from '../domain/errors.ts';
import type { InstanceLister } from '../repo/listing.ts';
import { chunked, ttlFrom, type OperationItem, type OperationRequest } from './model.ts';
import type { OperationRepository } from './repository.ts';
import type { OperationInput } from './schemas.ts';
import { resolveFilter } from './targets.ts';

export class OperationService {
  constructor(
    private readonly ops: Pick<OperationRepository, 'create'>,
    private readonly lister: Pick<InstanceLister, 'list'>,
    private readonly clock: () => Date = () => new Date(),
    private readonly newId: () => string = randomUUID,
  ) {}

  async create(input: OperationInput, actor: string, reason?: string): Promise<OperationItem> {
    const ids = input.type === 'export' ? input.instance_ids : await this.targets(input);
    const now = this.clock();
    const at = now.toISOString();
    const operation_id = this.newId();
    const chunks = chunked(ids ?? []);
    const op: OperationItem = {
      operation_id,
      list_pk: ALL_OPERATIONS_PK,
      type: input.type,
      status: 'pending',
      actor,
      ...(reason !== undefined ? { reason } : {}),
      request: requestOf(input, ids?.length),
      created_at: at,
      updated_at: at,
      checkpoint_at: at,
      expires_at: ttlFrom(now),
      total: input.type === 'export' ? null : (ids?.length ?? 0),
      chunk_count: input.type === 'export' ? 0 : chunks.length,
      next_chunk: 0,
      processed: 0,
      succeeded: 0,
      failed: 0,
      progress: 0,
      errors: [],
      counts: {},
      seq: 1,
      ...(input.type === 'export'
        ? {
            export: {
              key: `exports/${operation_id}.${input.format}`,
              filename: `history-export-${at.slice(0, 10)}-${operation_id.slice(0, 8)}.${input.format}`,
              parts: [],
              records: 0,
              bytes: 0,
            },
          }
        : {}),
    };
    await this.ops.create(op, chunks);
    return op;
  }

  /**
   * The ids a bulk operation will touch. With `expected_total` the count must be the one the
   * caller previewed: otherwise nothing is stored and the 409 carries the real count, so a
   * client confirms exactly what it saw (a filter drifts as instances change).
   */
  private async targets(input: Exclude<OperationInput, { type: 'export' }>): Promise<number[]> {
    if ('ids' in input) return input.ids;
    const ids = await resolveFilter(this.lister, input.filter);
    if (input.expected_total !== undefined && ids.length !== input.expected_total) {
      throw conflict(
        `The filter matches ${ids.length} instances now, not the expected ${input.expected_total}; preview again and resend`,
        { expected_total: input.expected_total, total: ids.length },
      );
    }
    return ids;
  }
}

function requestOf(input: OperationInput, count: number | undefined): OperationRequest {
  switch (input.type) {
    case 'bulk-update':
      return {
        type: input.type,
        data: input.data,
        ...('filter' in input ? { filter: input.filter } : { ids_count: count ?? 0 }),
      };
    case 'bulk-delete':
      return {
        type: input.type,
        ...('filter' in input ? { filter: input.filter } : { ids_count: count ?? 0 }),
      };
    case 'export':
      return {
        type: input.type,
        format: input.format,
        ...(count !== undefined ? { instance_ids_count: count } : {}),
        ...(input.start_date ? { start_date: input.start_date } : {}),
        ...(input.end_date ? { end_date: input.end_date } : {}),
      };
  }
}
