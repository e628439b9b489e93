import {
  infiniteQueryOptions,
  queryOptions,
  useMutation,
  useQueryClient,
} from '@tanstack/react-query';
import type { HistoryListQuery } from '../../../../../client/index.ts';
import { useApi, type Api } from '../../../lib/api.tsx';
import { instanceKeys } from '../../instances/api/keys.ts';
import { historyKeys } from './keys.ts';

export const HISTORY_PAGE = 25;

/** Newest first, page after page over the cursor (infinite scroll). */
export const historyInfiniteQuery = (api: Api, id: number, query: HistoryListQuery) =>
  infiniteQueryOptions({
    queryKey: historyKeys.list(id, query),
    queryFn: ({ pageParam, signal }) =>
      api.listHistory(
        id,
        {
          ...query,
          limit: HISTORY_PAGE,
          sort_order: 'desc',
          ...(pageParam ? { cursor: pageParam } : {}),
        },
        { signal },
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // New records arrive live (the instance's history is invalidated on each event).
    staleTime: 60_000,
  });

export const compareQuery = (api: Api, a: number, b: number) =>
  queryOptions({
    queryKey: historyKeys.compare(a, b),
    queryFn: ({ signal }) => api.compareHistory(a, b, { signal }),
    // History records never change.
    staleTime: Infinity,
  });

export const historyRecordQuery = (api: Api, historyId: number) =>
  queryOptions({
    queryKey: historyKeys.record(historyId),
    queryFn: ({ signal }) => api.getHistoryRecord(historyId, { signal }),
    staleTime: Infinity,
  });

export function useRestore() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      historyId,
      version,
      reason,
    }: {
      id: number;
      historyId: number;
      version?: number;
      reason?: string;
    }) =>
      api.restoreInstance(id, historyId, {
        ...(version !== undefined ? { ifMatch: version } : {}),
        ...(reason ? { reason } : {}),
      }),
    onSuccess: (inst) => {
      qc.setQueryData(instanceKeys.detail(inst.id), inst);
      void qc.invalidateQueries({ queryKey: historyKeys.instance(inst.id) });
      void qc.invalidateQueries({ queryKey: instanceKeys.lists() });
    },
  });
}
