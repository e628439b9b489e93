/** The query of GET /api/instances/{id}/history, in a module only that route reaches. */
import * as z from 'zod/mini';
import { OPERATION_TYPES } from './change.ts';
import { MUTABLE_FIELD_NAMES } from './fields.ts';
import { enumList, intParam, isoDate } from './query.ts';

/**
 * History list orders. One instance's changes commit in version order, its history ids are
 * allocated in that order and its timestamps taken in it (by the writers' clocks), so the
 * three name one order: the version order the partition is read in. All are accepted for
 * clients that sort by the field they display.
 */
export const HISTORY_SORT_FIELDS = ['version', 'history_id', 'operation_timestamp'] as const;

export const historyListQuerySchema = z.strictObject({
  limit: z._default(intParam(1, 1000), 50),
  /** Matches to skip (default 0); optional so that `page` with `offset` can be refused. */
  offset: z.optional(intParam(0, 1_000_000)),
  /** 1-based page of `limit` records (compatibility); not with `offset` or `cursor`. */
  page: z.optional(intParam(1, 1_000_000)),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
  sort_by: z._default(z.enum(HISTORY_SORT_FIELDS), 'version'),
  operation_type: z.optional(enumList(OPERATION_TYPES)),
  start_date: z.optional(isoDate),
  end_date: z.optional(isoDate),
  /** Records that changed any of these fields. */
  fields: z.optional(enumList(MUTABLE_FIELD_NAMES)),
  search: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  sort_order: z._default(z.enum(['asc', 'desc']), 'desc'),
});
export type HistoryListQuery = z.output<typeof historyListQuerySchema>;
