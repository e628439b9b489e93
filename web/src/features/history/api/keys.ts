import type { HistoryListQuery } from '../../../../../client/index.ts';

export const historyKeys = {
  all: ['history'] as const,
  instance: (id: number) => [...historyKeys.all, 'instance', id] as const,
  list: (id: number, query: HistoryListQuery) =>
    [...historyKeys.instance(id), 'list', query] as const,
  record: (historyId: number) => [...historyKeys.all, 'record', historyId] as const,
  compare: (a: number, b: number) => [...historyKeys.all, 'compare', a, b] as const,
};
