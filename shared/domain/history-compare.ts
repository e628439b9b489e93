/** Snapshot comparison as the compare endpoints report it. Free of zod. */
import { diffSnapshots, fieldValues, type Difference, type DiffOptions } from './diff.ts';
import type { HistoryComparison, HistoryRecord } from './history.ts';

export type { Difference };

/** The compare endpoints diff `envs` key by key, as `envs.KEY`. */
const COMPARE: DiffOptions = { expand: ['envs'] };

/** A snapshot as the compare endpoints see it: `field → value`, `envs` spread out as `envs.KEY`. */
export const flatten = (snapshot: object): Map<string, unknown> => fieldValues(snapshot, COMPARE);

/** Field-by-field differences from snapshot 1 to snapshot 2, as the compare endpoints report them. */
export const compareSnapshots = (s1: object, s2: object): Difference[] =>
  diffSnapshots(s1, s2, COMPARE);

/** GET /api/history/compare/{id1}/{id2}: both records and the differences from 1 to 2. */
export const compareRecords = (
  record1: HistoryRecord,
  record2: HistoryRecord,
): HistoryComparison => ({
  record1,
  record2,
  differences: compareSnapshots(record1.snapshot, record2.snapshot),
});
