/** Query keys of instance resources: one factory, every input in the key. */
import type { ListInstancesQuery } from '../../../../../client/index.ts';

export const instanceKeys = {
  all: ['instances'] as const,
  lists: () => [...instanceKeys.all, 'list'] as const,
  list: (query: ListInstancesQuery) => [...instanceKeys.lists(), query] as const,
  details: () => [...instanceKeys.all, 'detail'] as const,
  detail: (id: number) => [...instanceKeys.details(), id] as const,
  stats: () => [...instanceKeys.all, 'stats'] as const,
};
