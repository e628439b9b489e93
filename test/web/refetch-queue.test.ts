import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import {
  RefetchQueue,
  REFETCH_WINDOW_MS,
} from '../../web/src/features/instances/live/refetch-queue.ts';

/** A mounted list query whose fetches the test resolves by hand. */
function setup() {
  const qc = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Infinity } },
  });
  const started: { resolve: (v: number) => void }[] = [];
  const observer = new QueryObserver(qc, {
    queryKey: ['instances', 'list', { limit: 50 }],
    queryFn: () => new Promise<number>((resolve) => started.push({ resolve })),
  });
  const unsubscribe = observer.subscribe(() => undefined);
  return { qc, started, unsubscribe, key: ['instances', 'list', { limit: 50 }] as const };
}

describe('RefetchQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('refetches at once after a quiet period, then at most once per window in a burst', async () => {
    const { qc, started, unsubscribe, key } = setup();
    started[0]!.resolve(0); // the first load
    await vi.advanceTimersByTimeAsync(0);
    const queue = new RefetchQueue(qc);

    queue.add(key);
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toHaveLength(2); // the first event: no wait
    started[1]!.resolve(1);

    for (let i = 0; i < 40; i++) {
      queue.add(key); // 40 events over 400 ms
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(started).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(REFETCH_WINDOW_MS);
    expect(started).toHaveLength(3); // the whole burst: one fetch, after the window
    queue.dispose();
    unsubscribe();
  });

  it('never cancels a fetch in flight, and refetches once it has landed', async () => {
    const { qc, started, unsubscribe, key } = setup();
    const queue = new RefetchQueue(qc);
    // The first load is still in flight when the event arrives: it may predate the change.
    queue.add(key);
    await vi.advanceTimersByTimeAsync(REFETCH_WINDOW_MS * 3);
    expect(started).toHaveLength(1);
    expect(qc.getQueryState(key)?.fetchStatus).toBe('fetching');

    started[0]!.resolve(0);
    await vi.advanceTimersByTimeAsync(REFETCH_WINDOW_MS);
    expect(qc.getQueryData(key)).toBe(0); // the first fetch landed: it was not cancelled
    expect(started).toHaveLength(2); // and a fetch that starts after the event follows it
    queue.dispose();
    unsubscribe();
  });

  it('covers every query under a prefix when asked to, and forgets everything on dispose', async () => {
    const { qc, started, unsubscribe } = setup();
    started[0]!.resolve(0);
    await vi.advanceTimersByTimeAsync(0);
    const queue = new RefetchQueue(qc);
    queue.add(['instances'], false);
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toHaveLength(2);
    started[1]!.resolve(1);
    await vi.advanceTimersByTimeAsync(0);

    queue.add(['instances'], false);
    queue.dispose();
    await vi.advanceTimersByTimeAsync(REFETCH_WINDOW_MS * 2);
    expect(started).toHaveLength(2);
    unsubscribe();
  });
});
