import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { ListInstancesQuery } from '../../../../../client/index.ts';
import type { Api } from '../../../lib/api.tsx';
import { instanceKeys } from './keys.ts';

export const listInstancesQuery = (api: Api, query: ListInstancesQuery) =>
  queryOptions({
    queryKey: instanceKeys.list(query),
    queryFn: ({ signal }) => api.listInstances(query, { signal }),
    // Rows are kept current by WebSocket events; refetch on a remount after a minute.
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });

export const instanceQuery = (api: Api, id: number) =>
  queryOptions({
    queryKey: instanceKeys.detail(id),
    queryFn: ({ signal }) => api.getInstance(id, { signal }),
    staleTime: 60_000,
  });

export const instanceStatsQuery = (api: Api) =>
  queryOptions({
    queryKey: instanceKeys.stats(),
    queryFn: ({ signal }) => api.instanceStats({ signal }),
    // Counters are kept by the stream a moment after each write: refetched on events.
    staleTime: 10_000,
  });
