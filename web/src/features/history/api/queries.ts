import {
  infiniteQueryOptions,
  keepPreviousData,
  queryOptions,
  useMutation,
  useQueryClient,
} from '@tanstack/react-query';
import type { HistoryListQuery, HistorySearchQuery } from '../../../../../client/index.ts';
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

/**
 * The server's preview of a restore (GET /api/instances/{id}/restore/{history_id}): the
 * differences from the current state, and the version they were computed against. Never
 * served from an old cache entry: the instance may have changed since.
 */
export const restorePreviewQuery = (api: Api, id: number, historyId: number) =>
  queryOptions({
    queryKey: historyKeys.restorePreview(id, historyId),
    queryFn: ({ signal }) =>
      api.call('previewRestore', { params: { id, history_id: historyId } }, { signal }),
    staleTime: 0,
    retry: false,
  });

/** One page of a cross-instance search, newest first; the previous page shows while paging. */
export const historySearchQuery = (api: Api, query: HistorySearchQuery) =>
  queryOptions({
    queryKey: historyKeys.search(query),
    queryFn: ({ signal }) => api.searchHistory(query, { signal }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

export function useRestore() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    // The restore dialog shows the error itself (next to its button, not in a toast over it).
    meta: { silent: true },
    mutationFn: ({
      id,
      historyId,
      version,
      reason,
    }: {
      id: number;
      historyId: number;
      /** The current version previewed, or `deleted`: restore only while it still is. */
      version?: number | 'deleted';
      reason?: string;
    }) =>
      api.restoreInstance(id, historyId, {
        ...(version === 'deleted'
          ? { ifNoneMatch: '*' as const }
          : version !== undefined
            ? { ifMatch: version }
            : {}),
        ...(reason ? { reason } : {}),
      }),
    onSuccess: (inst) => {
      qc.setQueryData(instanceKeys.detail(inst.id), inst);
      void qc.invalidateQueries({ queryKey: historyKeys.instance(inst.id) });
      void qc.invalidateQueries({ queryKey: instanceKeys.lists() });
    },
  });
}
