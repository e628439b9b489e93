import { OPERATION_TYPES } from '../../../../shared/domain/change.ts';
import type { HistoryRecord } from '../../../../client/index.ts';

export type HistoryOperation = HistoryRecord['operation_type'];
import { int, list, type RawSearch } from '../../lib/search.ts';

export interface HistorySearch {
  /** Operation types shown. */
  op?: HistoryOperation[] | undefined;
  /** Two history ids compared side by side, older first. */
  compare?: [number, number] | undefined;
  /** A history id whose restore preview is open. */
  restore?: number | undefined;
}

export function validateHistorySearch(raw: RawSearch): HistorySearch {
  const ids = String(raw.compare ?? '')
    .split(',')
    .map((p) => int(p, 1, Number.MAX_SAFE_INTEGER))
    .filter((n): n is number => n !== undefined);
  const out: HistorySearch = {
    op: list(raw.op, OPERATION_TYPES),
    compare:
      ids.length === 2 && ids[0] !== ids[1]
        ? ([Math.min(...ids), Math.max(...ids)] as [number, number])
        : undefined,
    restore: int(raw.restore, 1, Number.MAX_SAFE_INTEGER),
  };
  return Object.fromEntries(
    Object.entries(out).filter(([, v]) => v !== undefined),
  ) as HistorySearch;
}
