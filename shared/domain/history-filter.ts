/**
 * What the history list and search keep: the record filters and the date range check. Free of
 * zod; the repository (shared/repo/history-list.ts, history-search.ts) feeds records in page by
 * page.
 */
import type { HistoryRecord } from './history.ts';
import { badRequest } from './errors.ts';

/** Rejects a date range whose start is after its end (400, like the instance list). */
export function checkDateRange(q: { start_date?: string; end_date?: string }): void {
  if (q.start_date && q.end_date && q.start_date > q.end_date) {
    throw badRequest('start_date is later than end_date', {
      start_date: 'must not be later than end_date',
    });
  }
}

export interface RecordFilter {
  operation_type?: readonly string[] | undefined;
  start_date?: string | undefined;
  end_date?: string | undefined;
  fields?: readonly string[] | undefined;
  /**
   * Case-insensitive substring of a changed field's name, old or new value, the actor, the
   * reason, or the instance's name, model or cluster as of the record.
   */
  search?: string | undefined;
  instance_ids?: readonly number[] | undefined;
}

const lower = (s: string) => s.normalize('NFKC').toLowerCase();
const valueText = (v: unknown) =>
  v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);

/**
 * The text `search` looks in: changed field names, their old and new values, the actor, the
 * reason, and the snapshot's name, model and cluster (so an instance's records are found by its
 * name even when the change did not touch it; a delete's snapshot is the instance before).
 */
export function searchText(
  r: Pick<HistoryRecord, 'changes' | 'actor' | 'reason' | 'snapshot'>,
): string {
  const s = r.snapshot ?? {};
  const parts = [
    r.actor,
    r.reason ?? '',
    valueText(s.name),
    valueText(s.model_name),
    valueText(s.cluster_name),
  ];
  for (const [field, c] of Object.entries(r.changes ?? {})) {
    parts.push(field, valueText(c.old), valueText(c.new));
  }
  return lower(parts.join('\n'));
}

export function matchesRecord(f: RecordFilter, r: HistoryRecord): boolean {
  if (f.instance_ids && !f.instance_ids.includes(r.instance_id)) return false;
  if (f.operation_type && !f.operation_type.includes(r.operation_type)) return false;
  if (f.start_date !== undefined && r.operation_timestamp < f.start_date) return false;
  if (f.end_date !== undefined && r.operation_timestamp > f.end_date) return false;
  if (f.fields && !f.fields.some((x) => r.changed_fields.includes(x))) return false;
  if (f.search !== undefined && !searchText(r).includes(lower(f.search))) return false;
  return true;
}
