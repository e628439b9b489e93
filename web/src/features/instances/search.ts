/** The instances view as URL state, and its translation into the list API's query. */
import {
  PRIORITIES,
  STATUSES,
  type Priority,
  type Status,
} from '../../../../shared/domain/instance.ts';
import * as z from 'zod/mini';
import { SORT_FIELDS, isoDate, type SortField } from '../../../../shared/domain/query.ts';
import type { ListInstancesQuery } from '../../../../client/index.ts';
import { int, list, oneOf, str, validated, type RawSearch } from '../../lib/search.ts';
import { dayEnd, dayRange, dayStart } from '../../lib/days.ts';

export { dayOf, dayStart } from '../../lib/days.ts';

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_LIMIT = 50;

export interface InstancesSearch {
  q?: string | undefined;
  status?: Status[] | undefined;
  priority?: Priority[] | undefined;
  model?: string | undefined;
  cluster?: string | undefined;
  /** Created on or after this day (`YYYY-MM-DD`, the browser's time zone). */
  created_from?: string | undefined;
  /** Created on or before this day (inclusive). */
  created_to?: string | undefined;
  sort?: SortField | undefined;
  order?: 'asc' | 'desc' | undefined;
  /** 1-based page number (display, and `skip` when no cursor is known). */
  page?: number | undefined;
  /** The cursor that starts `page`, when we got here by paging. */
  cursor?: string | undefined;
  /**
   * Matches on the pages before `page`, with `cursor`, when that is not `(page - 1) * limit`:
   * a sparse filter answers short (even empty) pages, and a reloaded or shared link must still
   * number its rows from where the earlier pages stopped.
   */
  start?: number | undefined;
  limit?: number | undefined;
  /** The instance shown in the side drawer. */
  selected?: number | undefined;
}

/** The API's own rule for `created_after` / `created_before` (shared/domain/query.ts). */
const apiDate = (d: Date): string | undefined => {
  const r = z.safeParse(isoDate, d.toISOString());
  return r.success ? r.data : undefined;
};

/** `created_after` for a from-day: its first millisecond in the browser's time zone. */
export function createdAfter(day: string | undefined): string | undefined {
  const d = day ? dayStart(day) : undefined;
  return d && apiDate(d);
}

/** `created_before` (inclusive) for a to-day: its last millisecond. */
export function createdBefore(day: string | undefined): string | undefined {
  const d = day ? dayEnd(day) : undefined;
  return d && apiDate(d);
}

/**
 * A created range the API accepts: each end a real day, and from ≤ to (the server answers 400
 * `created_after is later than created_before` otherwise). A reversed range keeps `from` only.
 */
export function createdRange(
  from: unknown,
  to: unknown,
): { created_from?: string; created_to?: string } {
  const { from: f, to: t } = dayRange(from, to);
  return { ...(f ? { created_from: f } : {}), ...(t ? { created_to: t } : {}) };
}

export function validateInstancesSearch(raw: RawSearch): InstancesSearch {
  const limit = int(raw.limit, 1, 1000);
  const created = createdRange(raw.created_from, raw.created_to);
  const out: InstancesSearch = {
    q: str(raw.q)?.slice(0, 255),
    status: list(raw.status, STATUSES),
    priority: list(raw.priority, PRIORITIES),
    model: str(raw.model),
    cluster: str(raw.cluster),
    created_from: created.created_from,
    created_to: created.created_to,
    sort: oneOf(raw.sort, SORT_FIELDS),
    order: oneOf(raw.order, ['asc', 'desc'] as const),
    page: int(raw.page, 1, 100_000),
    cursor: str(raw.cursor),
    start: str(raw.cursor) ? int(raw.start, 0, 100_000_000) : undefined,
    limit: limit && (PAGE_SIZES as readonly number[]).includes(limit) ? limit : undefined,
    selected: int(raw.selected, 1, 999_999_999),
  };
  return validated(raw, out);
}

/** The list request for a view: filters and sort go to the server, never to the browser. */
export function toListQuery(s: InstancesSearch): ListInstancesQuery {
  const limit = s.limit ?? DEFAULT_LIMIT;
  const page = s.page ?? 1;
  return {
    limit,
    ...(s.q ? { search: s.q } : {}),
    ...(s.status ? { status: s.status } : {}),
    ...(s.priority ? { priority: s.priority } : {}),
    ...(s.model ? { model_name: s.model } : {}),
    ...(s.cluster ? { cluster_name: s.cluster } : {}),
    ...(s.created_from ? { created_after: createdAfter(s.created_from) } : {}),
    ...(s.created_to ? { created_before: createdBefore(s.created_to) } : {}),
    sort_by: s.sort ?? 'created_at',
    sort_order: s.order ?? 'desc',
    ...(s.cursor ? { cursor: s.cursor } : page > 1 ? { skip: (page - 1) * limit } : {}),
  };
}

/** The search with every filter removed (sort, page size and columns stay). */
export const CLEARED_FILTERS = {
  q: undefined,
  status: undefined,
  priority: undefined,
  model: undefined,
  cluster: undefined,
  created_from: undefined,
  created_to: undefined,
} as const satisfies Partial<InstancesSearch>;

/** Filters only (no paging or sorting): the part that changes what matches. */
export const hasFilters = (s: InstancesSearch) =>
  Boolean(s.q || s.status || s.priority || s.model || s.cluster || s.created_from || s.created_to);

/** Fields of an instance that decide whether it matches a list query or where it sorts. */
export function fieldsThatMove(q: ListInstancesQuery): string[] {
  const out: string[] = [q.sort_by ?? 'created_at'];
  if (q.search) out.push('name', 'model_name', 'cluster_name', 'description');
  if (q.status) out.push('status');
  if (q.priority) out.push('priority');
  if (q.model_name) out.push('model_name');
  if (q.cluster_name) out.push('cluster_name');
  return out;
}
