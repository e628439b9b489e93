import type { HistoryListQuery, HistorySearchQuery } from '../../../../../client/index.ts';

export const historyKeys = {
  all: ['history'] as const,
  instance: (id: number) => [...historyKeys.all, 'instance', id] as const,
  list: (id: number, query: HistoryListQuery) =>
    [...historyKeys.instance(id), 'list', query] as const,
  record: (historyId: number) => [...historyKeys.all, 'record', historyId] as const,
  compare: (a: number, b: number) => [...historyKeys.all, 'compare', a, b] as const,
  /** Restore previews depend on the instance's current state: under the instance's key. */
  restorePreview: (id: number, historyId: number) =>
    [...historyKeys.instance(id), 'restore-preview', historyId] as const,
  search: (query: HistorySearchQuery) => [...historyKeys.all, 'search', query] as const,
};
