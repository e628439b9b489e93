import { MutationCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../../../client/index.ts';
import { notifyError } from './errors.ts';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    mutationCache: new MutationCache({
      onError: (err, _vars, _ctx, mutation) => {
        // A mutation marked silent shows its error where it belongs (at a field, in a dialog).
        if (!mutation.meta?.silent) notifyError(err);
      },
    }),
    defaultOptions: {
      queries: {
        // The client already retries 429/503/network errors with backoff; a 4xx will not change.
        retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 1,
        refetchOnWindowFocus: false,
        // Live updates keep cached data fresh; resources set their own staleTime.
        staleTime: 30_000,
      },
    },
  });
}

declare module '@tanstack/react-query' {
  interface Register {
    mutationMeta: { silent?: boolean };
  }
}
