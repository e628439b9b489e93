/**
 * History views as URL state: an instance's timeline (`/instances/:id/history`) and the
 * cross-instance search (`/history`), and their translation into the API's queries. Filters are
 * flat and readable in the URL (`?op=update,restore&from=2026-11-01&fields=replicas&q=alice`),
 * so a link reproduces the view.
 */
import { OPERATION_TYPES } from '../../../../shared/domain/change.ts';
import { MUTABLE_FIELDS } from '../../../../shared/domain/instance.ts';
import type {
  HistoryListQuery,
  HistoryRecord,
  HistorySearchQuery,
} from '../../../../client/index.ts';
import { int, list, str, validated, type RawSearch } from '../../lib/search.ts';
import { dayEnd, dayRange, dayStart } from '../../lib/days.ts';

export type HistoryOperation = HistoryRecord['operation_type'];
export type HistoryField = (typeof MUTABLE_FIELDS)[number];
export const HISTORY_FIELDS: readonly HistoryField[] = MUTABLE_FIELDS;

/** Filters both history views share. */
export interface HistoryFilters {
  /** Free text: changed field names, old/new values, actor, reason, the instance's name. */
  q?: string | undefined;
  /** Operation types shown. */
  op?: HistoryOperation[] | undefined;
  /** On or after this day (`YYYY-MM-DD`, the browser's time zone). */
  from?: string | undefined;
  /** On or before this day (inclusive). */
  to?: string | undefined;
}

export interface HistorySearch extends HistoryFilters {
  /** Records that changed any of these fields. */
  fields?: HistoryField[] | undefined;
  /** Two history ids compared side by side, older first. */
  compare?: [number, number] | undefined;
  /** A history id whose restore preview is open. */
  restore?: number | undefined;
}

export interface HistorySearchAcross extends HistoryFilters {
  /** Instances searched (none: every instance). */
  ids?: number[] | undefined;
  /** The cursor that starts the page shown, when we got here by paging. */
  cursor?: string | undefined;
}

const MAX_ID = 999_999_999;

/** `start_date` for a from-day: its first millisecond in the browser's time zone. */
export const startOfDay = (day: string | undefined): string | undefined =>
  (day ? dayStart(day) : undefined)?.toISOString();

/** `end_date` (inclusive) for a to-day: its last millisecond. */
export const endOfDay = (day: string | undefined): string | undefined =>
  (day ? dayEnd(day) : undefined)?.toISOString();

export { dayRange };

function filtersOf(raw: RawSearch): HistoryFilters {
  const range = dayRange(raw.from, raw.to);
  return {
    q: str(raw.q)?.trim().slice(0, 255) || undefined,
    op: list(raw.op, OPERATION_TYPES),
    from: range.from,
    to: range.to,
  };
}

export function validateHistorySearch(raw: RawSearch): HistorySearch {
  const ids = String(raw.compare ?? '')
    .split(',')
    .map((p) => int(p, 1, Number.MAX_SAFE_INTEGER))
    .filter((n): n is number => n !== undefined);
  return validated<HistorySearch>(raw, {
    ...filtersOf(raw),
    fields: list(raw.fields, HISTORY_FIELDS),
    compare:
      ids.length === 2 && ids[0] !== ids[1]
        ? ([Math.min(...ids), Math.max(...ids)] as [number, number])
        : undefined,
    restore: int(raw.restore, 1, Number.MAX_SAFE_INTEGER),
  });
}

/** Instance ids from `1,2,3` (or an array): distinct, in the order given, at most 100. */
export function idList(v: unknown): number[] | undefined {
  const parts = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/[\s,]+/) : [];
  const ids = [
    ...new Set(
      parts.map((p) => int(p.trim(), 1, MAX_ID)).filter((n): n is number => n !== undefined),
    ),
  ].slice(0, 100);
  return ids.length ? ids : undefined;
}

/**
 * What an operator typed in the "Instance ids" field: the ids, or why they are not ids. Unlike
 * `idList` (a URL, where a bad part is dropped), a typed value is taken whole or not at all, so
 * the view never filters differently from what the field shows (`abc` is not "all instances",
 * `20, abc` is not `20`).
 */
export function parseIdInput(text: string): { ids: number[] | undefined } | { error: string } {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const bad = parts.filter((p) => int(p, 1, MAX_ID) === undefined);
  if (bad.length)
    return {
      error: `Not ${bad.length === 1 ? 'an instance id' : 'instance ids'}: ${bad.slice(0, 3).join(', ')}${bad.length > 3 ? '…' : ''}`,
    };
  const ids = [...new Set(parts.map(Number))];
  if (ids.length > 100) return { error: `At most 100 ids (${ids.length} given)` };
  return { ids: ids.length ? ids : undefined };
}

export function validateHistorySearchAcross(raw: RawSearch): HistorySearchAcross {
  return validated<HistorySearchAcross>(raw, {
    ...filtersOf(raw),
    ids: idList(raw.ids),
    cursor: str(raw.cursor)?.slice(0, 1024),
  });
}

const dates = (f: HistoryFilters) => ({
  ...(f.from ? { start_date: startOfDay(f.from) } : {}),
  ...(f.to ? { end_date: endOfDay(f.to) } : {}),
});

/** The list request of a timeline view (paging is the infinite query's). */
export function toHistoryListQuery(s: HistorySearch): HistoryListQuery {
  return {
    ...(s.op ? { operation_type: s.op } : {}),
    ...(s.fields ? { fields: s.fields } : {}),
    ...(s.q ? { search: s.q } : {}),
    ...dates(s),
  };
}

export const SEARCH_PAGE = 25;

/** The search request of a cross-instance view (`cursor` from the URL: a linked page). */
export function toHistorySearchQuery(s: HistorySearchAcross): HistorySearchQuery {
  return {
    limit: SEARCH_PAGE,
    ...(s.q ? { q: s.q } : {}),
    ...(s.ids ? { instance_ids: s.ids } : {}),
    ...(s.op ? { operation_type: s.op } : {}),
    ...dates(s),
    ...(s.cursor ? { cursor: s.cursor } : {}),
  };
}

/** Filters only (no compare, restore or paging): the part that changes what matches. */
export const hasHistoryFilters = (s: HistorySearch & HistorySearchAcross) =>
  Boolean(s.q || s.op || s.from || s.to || s.fields || s.ids);

export const CLEARED_HISTORY_FILTERS = {
  q: undefined,
  op: undefined,
  from: undefined,
  to: undefined,
  fields: undefined,
} as const satisfies Partial<HistorySearch>;

const TIMELINE_FILTERS = ['q', 'op', 'from', 'to', 'fields'] as const;

/** The part of a filter change a timeline keeps (no instance ids, no cursor). */
export function timelinePatch(patch: Partial<HistorySearch & HistorySearchAcross>) {
  return Object.fromEntries(
    Object.entries(patch).filter(([k]) => (TIMELINE_FILTERS as readonly string[]).includes(k)),
  ) as Partial<HistorySearch>;
}
