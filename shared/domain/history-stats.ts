/**
 * GET /api/instances/{id}/history/stats: its query schema and the aggregation, in a module only
 * that route reaches. The repository (shared/repo/history-stats.ts) feeds records in page by page.
 */
import * as z from 'zod/mini';
import { OPERATION_TYPES, TIME_RANGES, type TimeRange } from './change.ts';
import type { HistoryRecord, HistoryStats } from './history.ts';

export const historyStatsQuerySchema = z.strictObject({
  time_range: z._default(z.enum(TIME_RANGES), 'all'),
});

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
