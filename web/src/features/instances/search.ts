/** The instances view as URL state, and its translation into the list API's query. */
import {
  PRIORITIES,
  STATUSES,
  type Priority,
  type Status,
} from '../../../../shared/domain/instance.ts';
import { SORT_FIELDS, type SortField } from '../../../../shared/domain/query.ts';
import type { InstanceStats, ListInstancesQuery } from '../../../../client/index.ts';
import { int, list, oneOf, str, type RawSearch } from '../../lib/search.ts';

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_LIMIT = 50;

export interface InstancesSearch {
  q?: string | undefined;
  status?: Status[] | undefined;
  priority?: Priority[] | undefined;
  model?: string | undefined;
  cluster?: string | undefined;
  sort?: SortField | undefined;
  order?: 'asc' | 'desc' | undefined;
  /** 1-based page number (display, and `skip` when no cursor is known). */
  page?: number | undefined;
  /** The cursor that starts `page`, when we got here by paging. */
  cursor?: string | undefined;
  limit?: number | undefined;
  /** The instance shown in the side drawer. */
  selected?: number | undefined;
}

export function validateInstancesSearch(raw: RawSearch): InstancesSearch {
  const limit = int(raw.limit, 1, 1000);
  const out: InstancesSearch = {
    q: str(raw.q)?.slice(0, 255),
    status: list(raw.status, STATUSES),
    priority: list(raw.priority, PRIORITIES),
    model: str(raw.model),
    cluster: str(raw.cluster),
    sort: oneOf(raw.sort, SORT_FIELDS),
    order: oneOf(raw.order, ['asc', 'desc'] as const),
    page: int(raw.page, 1, 100_000),
    cursor: str(raw.cursor),
    limit: limit && (PAGE_SIZES as readonly number[]).includes(limit) ? limit : undefined,
    selected: int(raw.selected, 1, 999_999_999),
  };
  // Undefined keys would still show up in equality checks and links.
  return Object.fromEntries(
    Object.entries(out).filter(([, v]) => v !== undefined),
  ) as InstancesSearch;
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
} as const satisfies Partial<InstancesSearch>;

/** Filters only (no paging or sorting): the part that changes what matches. */
export const hasFilters = (s: InstancesSearch) =>
  Boolean(s.q || s.status || s.priority || s.model || s.cluster);

/**
 * The list API returns no total; the stats counters give it when the view filters on one
 * dimension at most (or none). Otherwise undefined ("of many").
 */
export function knownTotal(
  s: InstancesSearch,
  stats: InstanceStats | undefined,
): number | undefined {
  if (!stats) return undefined;
  const dims = [s.q, s.status, s.priority, s.model, s.cluster].filter(Boolean).length;
  if (dims === 0) return stats.total;
  if (dims > 1 || s.q) return undefined;
  const sum = (keys: readonly string[], rec: Partial<Record<string, number>>) =>
    keys.reduce((n, k) => n + (rec[k] ?? 0), 0);
  if (s.status) return sum(s.status, stats.by_status);
  if (s.priority) return sum(s.priority, stats.by_priority);
  if (s.model) return stats.by_model[s.model] ?? 0;
  if (s.cluster) return stats.by_cluster[s.cluster] ?? 0;
  return undefined;
}

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
