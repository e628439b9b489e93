import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type {
  CreateOperationInput,
  ListOperationsQuery,
  Operation,
} from '../../../../../client/index.ts';
import { useApi, type Api } from '../../../lib/api.tsx';

export const operationKeys = {
  all: ['operations'] as const,
  lists: () => [...operationKeys.all, 'list'] as const,
  list: (q: ListOperationsQuery) => [...operationKeys.lists(), q] as const,
  detail: (id: string) => [...operationKeys.all, 'detail', id] as const,
};

export const isRunning = (op: Pick<Operation, 'status'>) =>
  op.status === 'pending' || op.status === 'running';

export const listOperationsQuery = (api: Api, q: ListOperationsQuery) =>
  queryOptions({
    queryKey: operationKeys.list(q),
    queryFn: ({ signal }) => api.listOperations(q, { signal }),
    staleTime: 5_000,
    // Running operations report progress on their own topic; the list polls gently meanwhile.
    refetchInterval: (query) => (query.state.data?.items.some(isRunning) ? 3_000 : false),
  });

export const operationQuery = (api: Api, id: string) =>
  queryOptions({
    queryKey: operationKeys.detail(id),
    queryFn: ({ signal }) => api.getOperation(id, { signal }),
    staleTime: 5_000,
  });

export function useCreateOperation() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateOperationInput) => api.createOperation(body),
    onSuccess: (op) => {
      qc.setQueryData(operationKeys.detail(op.operation_id), op);
      void qc.invalidateQueries({ queryKey: operationKeys.lists() });
    },
  });
}

/** Optimistic: the operation shows "cancel requested" at once; rolled back on error. */
export function useCancelOperation() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.cancelOperation(id),
    onMutate: async (id) => {
      await qc.cancelQueries({ queryKey: operationKeys.detail(id) });
      const previous = qc.getQueryData<Operation>(operationKeys.detail(id));
      if (previous)
        qc.setQueryData(operationKeys.detail(id), { ...previous, cancel_requested: true });
      return { previous };
    },
    onError: (_e, id, ctx) => {
      if (ctx?.previous) qc.setQueryData(operationKeys.detail(id), ctx.previous);
    },
    onSuccess: (op) => {
      qc.setQueryData(operationKeys.detail(op.operation_id), op);
      void qc.invalidateQueries({ queryKey: operationKeys.lists() });
    },
  });
}
