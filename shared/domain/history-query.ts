/**
 * History read side, pure parts: query schemas, record filters, snapshot comparison, stats
 * aggregation and the snapshot → instance input conversion a restore uses. No I/O here; the
 * repository (shared/repo/history-reader.ts) feeds records in page by page.
 */
import * as z from 'zod/mini';
import { OPERATION_TYPES, TIME_RANGES, type TimeRange } from './change.ts';
import type { HistoryRecord } from './history.ts';
import {
  MUTABLE_FIELDS,
  OPTIONAL_TEXT_FIELDS,
  createInstanceSchema,
  sameValue,
  updateInstanceSchema,
  type CreateInstanceInput,
  type UpdateInstanceInput,
} from './instance.ts';
import { READ_ONLY_FIELDS } from './instance.ts';
import { enumList, idParam, intParam, isoDate } from './query.ts';
import { badRequest, validationError } from './errors.ts';
import { issuesToDetails } from './validation.ts';
import { diffSnapshots, fieldValues, type Difference, type DiffOptions } from './diff.ts';
import type { BatchComparison, HistoryStats } from './history.ts';

// Declared in change.ts (history.ts needs them too); the query schemas' importers read them here.
export { OPERATION_TYPES, TIME_RANGES, type TimeRange };

const text = z.string().check(z.minLength(1), z.maxLength(255));
const sortOrder = z._default(z.enum(['asc', 'desc']), 'desc');

/** Comma list of integer ids (`1,2,3`; repeated keys arrive comma-joined), 1–100 of them. */
const idList = z.pipe(
  z.string().check(z.regex(/^\s*\d{1,9}(\s*,\s*\d{1,9})*\s*$/, 'must be a comma list of ids')),
  z.pipe(
    z.transform((s: string) => [...new Set(s.split(',').map((v) => Number(v.trim())))]),
    z.array(z.int().check(z.gte(1))).check(z.minLength(1), z.maxLength(100)),
  ),
);

// ---------------------------------------------------------------------------------------------
// Path and query schemas

export const instanceIdPathSchema = z.strictObject({ id: idParam });
export const historyIdPathSchema = z.strictObject({ history_id: idParam });
export const comparePathSchema = z.strictObject({ id1: idParam, id2: idParam });
export const restorePathSchema = z.strictObject({ id: idParam, history_id: idParam });

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
  fields: z.optional(enumList(MUTABLE_FIELDS as unknown as readonly [string, ...string[]])),
  search: z.optional(text),
  sort_order: sortOrder,
});
export type HistoryListQuery = z.output<typeof historyListQuerySchema>;

export const historySearchQuerySchema = z.strictObject({
  q: z.optional(text),
  instance_ids: z.optional(idList),
  operation_type: z.optional(enumList(OPERATION_TYPES)),
  start_date: z.optional(isoDate),
  end_date: z.optional(isoDate),
  limit: z._default(intParam(1, 1000), 50),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});
export type HistorySearchQuery = z.output<typeof historySearchQuerySchema>;

export const historyStatsQuerySchema = z.strictObject({
  time_range: z._default(z.enum(TIME_RANGES), 'all'),
});

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const historyExportQuerySchema = z.strictObject({
  format: z._default(z.enum(EXPORT_FORMATS), 'json'),
});

export const MAX_BATCH_COMPARE = 20;
export const batchCompareBodySchema = z.strictObject({
  record_ids: z.array(z.int().check(z.gte(1), z.lte(999_999_999))).check(
    z.minLength(2),
    z.maxLength(MAX_BATCH_COMPARE),
    z.refine((ids) => new Set(ids).size === ids.length, { message: 'ids must be distinct' }),
  ),
});

/** Rejects a date range whose start is after its end (400, like the instance list). */
export function checkDateRange(q: { start_date?: string; end_date?: string }): void {
  if (q.start_date && q.end_date && q.start_date > q.end_date) {
    throw badRequest('start_date is later than end_date', {
      start_date: 'must not be later than end_date',
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Filters

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

// ---------------------------------------------------------------------------------------------
// Comparison

export type { BatchComparison, Difference };

/** The compare endpoints diff `envs` key by key, as `envs.KEY`. */
const COMPARE: DiffOptions = { expand: ['envs'] };

/** A snapshot as the compare endpoints see it: `field → value`, `envs` spread out as `envs.KEY`. */
export const flatten = (snapshot: object): Map<string, unknown> => fieldValues(snapshot, COMPARE);

/** Field-by-field differences from snapshot 1 to snapshot 2, as the compare endpoints report them. */
export const compareSnapshots = (s1: object, s2: object): Difference[] =>
  diffSnapshots(s1, s2, COMPARE);

/** Compares 2–20 records: consecutive differences plus, per field, who holds which value. */
export function batchCompare(records: readonly HistoryRecord[]): BatchComparison {
  const sorted = [...records].sort((x, y) => x.history_id - y.history_id);
  const flats = sorted.map((r) => flatten(r.snapshot));
  const comparisons = sorted.slice(1).map((r, i) => ({
    from: sorted[i]!.history_id,
    to: r.history_id,
    differences: compareSnapshots(sorted[i]!.snapshot, r.snapshot),
  }));
  const allFields = [...new Set(flats.flatMap((f) => [...f.keys()]))].sort();
  const fields: BatchComparison['fields'] = {};
  const unchanged: string[] = [];
  for (const field of allFields) {
    const groups: { value: unknown; record_ids: number[] }[] = [];
    flats.forEach((flat, i) => {
      const value = flat.has(field) ? flat.get(field) : null;
      const group = groups.find((g) => sameValue(g.value, value));
      if (group) group.record_ids.push(sorted[i]!.history_id);
      else groups.push({ value, record_ids: [sorted[i]!.history_id] });
    });
    if (groups.length === 1) unchanged.push(field);
    else fields[field] = groups;
  }
  return {
    record_ids: sorted.map((r) => r.history_id),
    records: sorted,
    comparisons,
    fields,
    unchanged_fields: unchanged,
  };
}

// ---------------------------------------------------------------------------------------------
// Stats

const RANGE_MS: Record<TimeRange, number | undefined> = {
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
  '30d': 30 * 24 * 3600_000,
  all: undefined,
};

/** The earliest timestamp a time range includes, or undefined for `all`. */
export function rangeStart(range: TimeRange, now: Date): string | undefined {
  const ms = RANGE_MS[range];
  return ms === undefined ? undefined : new Date(now.getTime() - ms).toISOString();
}

export type StatsInput = Pick<
  HistoryRecord,
  'history_id' | 'version' | 'operation_type' | 'operation_timestamp' | 'actor' | 'changed_fields'
>;

type ChangeRef = Pick<
  StatsInput,
  'history_id' | 'version' | 'operation_type' | 'operation_timestamp' | 'actor'
>;

/** Folds records (any order) into per-instance history stats without keeping them. */
export class HistoryStatsAccumulator {
  private total = 0;
  private readonly byOp: Record<string, number> = Object.fromEntries(
    OPERATION_TYPES.map((o) => [o, 0]),
  );
  private readonly fieldCounts = new Map<string, number>();
  private readonly perDay = new Map<string, number>();
  private readonly actors = new Map<string, number>();
  private first: ChangeRef | undefined;
  private last: ChangeRef | undefined;

  add(r: StatsInput): void {
    this.total++;
    this.byOp[r.operation_type] = (this.byOp[r.operation_type] ?? 0) + 1;
    for (const f of r.changed_fields) this.fieldCounts.set(f, (this.fieldCounts.get(f) ?? 0) + 1);
    const day = r.operation_timestamp.slice(0, 10);
    this.perDay.set(day, (this.perDay.get(day) ?? 0) + 1);
    this.actors.set(r.actor, (this.actors.get(r.actor) ?? 0) + 1);
    const ref: ChangeRef = {
      history_id: r.history_id,
      version: r.version,
      operation_type: r.operation_type,
      operation_timestamp: r.operation_timestamp,
      actor: r.actor,
    };
    if (!this.first || r.version < this.first.version) this.first = ref;
    if (!this.last || r.version > this.last.version) this.last = ref;
  }

  /** The stats of the records added; the reader adds the instance and the range it read. */
  result(topFields = 10): Omit<HistoryStats, 'instance_id' | 'time_range' | 'from' | 'to'> {
    const ranked = (m: Map<string, number>) =>
      [...m.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, topFields);
    return {
      total_changes: this.total,
      by_operation_type: this.byOp,
      most_changed_fields: ranked(this.fieldCounts).map(([field, count]) => ({ field, count })),
      top_actors: ranked(this.actors).map(([actor, count]) => ({ actor, count })),
      changes_per_day: [...this.perDay.entries()]
        .sort((x, y) => x[0].localeCompare(y[0]))
        .map(([date, count]) => ({ date, count })),
      first_change: this.first ?? null,
      last_change: this.last ?? null,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Restore input

const mutableOf = (snapshot: Record<string, unknown>) =>
  Object.fromEntries(
    MUTABLE_FIELDS.filter((f) => snapshot[f] !== undefined).map((f) => [f, snapshot[f]]),
  );

function invalidSnapshot(issues: Parameters<typeof issuesToDetails>[0], input: unknown): never {
  throw validationError(
    'The history snapshot is not a valid instance under the current rules',
    issuesToDetails(issues, input, READ_ONLY_FIELDS),
  );
}

/**
 * The patch that sets a live instance to a snapshot: every mutable field the snapshot has,
 * and `null` (clear) for optional text fields it does not have.
 */
export function restorePatch(snapshot: Record<string, unknown>): UpdateInstanceInput {
  const input: Record<string, unknown> = mutableOf(snapshot);
  for (const f of OPTIONAL_TEXT_FIELDS) if (input[f] === undefined) input[f] = null;
  if (input.envs === undefined) input.envs = {};
  const parsed = updateInstanceSchema.safeParse(input);
  if (!parsed.success) invalidSnapshot(parsed.error.issues, input);
  return parsed.data;
}

/** The fields to re-create a deleted instance from a snapshot (defaults fill any gap). */
export function recreateInput(snapshot: Record<string, unknown>): CreateInstanceInput {
  const input = mutableOf(snapshot);
  const parsed = createInstanceSchema.safeParse(input);
  if (!parsed.success) invalidSnapshot(parsed.error.issues, input);
  return parsed.data;
}

/** What a restore sets an instance to (InstanceRepository.restore), built from a snapshot. */
export interface RestoreTarget {
  /** For a live instance: every mutable field, optional ones absent in the snapshot cleared. */
  readonly patch: UpdateInstanceInput;
  /** For a deleted instance: the fields to re-create it with (validated when called). */
  readonly recreate: () => CreateInstanceInput;
  /** The original creation stamp, kept when a deleted instance is re-created. */
  readonly created_at?: string | undefined;
  readonly created_by?: string | undefined;
}

/** Everything a restore needs from a snapshot (InstanceRepository.restore). */
export function restoreTarget(snapshot: Record<string, unknown>): RestoreTarget {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    patch: restorePatch(snapshot),
    recreate: () => recreateInput(snapshot),
    created_at: str(snapshot.created_at),
    created_by: str(snapshot.created_by),
  };
}

// ---------------------------------------------------------------------------------------------
// Stored item → API record: in ./history-record.ts (the broadcaster reads records without any of
// the query schemas here), re-exported for the readers.

export { RECORD_KEYS, toRecord } from './history-record.ts';
