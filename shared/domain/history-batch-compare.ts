/**
 * POST /api/history/batch-compare: its body schema and the comparison, in a module only that
 * route reaches (the body schema is code every Lambda that touches this module bundles).
 */
import * as z from 'zod/mini';
import type { BatchComparison, HistoryRecord } from './history.ts';
import { sameValue } from './fields.ts';
import { MAX_ID } from './ids.ts';
import { compareSnapshots, flatten } from './history-compare.ts';

export type { BatchComparison };

export const MAX_BATCH_COMPARE = 20;
export const batchCompareBodySchema = z.strictObject({
  record_ids: z.array(z.int().check(z.gte(1), z.lte(MAX_ID))).check(
    z.minLength(2),
    z.maxLength(MAX_BATCH_COMPARE),
    z.refine((ids) => new Set(ids).size === ids.length, { message: 'ids must be distinct' }),
  ),
});

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
