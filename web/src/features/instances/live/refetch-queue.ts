/**
 * Coalesces the refetches that live events ask for. A burst of writes (a bulk operation, an
 * import) sends dozens of events a second and each would invalidate every cached list; TanStack
 * Query cancels a fetch in flight to start the new one, so under a steady burst the page on
 * screen never finishes loading. Here each query is refetched at most once per window, never
 * while its previous fetch is still in flight, and always by a fetch that starts after the last
 * event that asked for it: nothing is missed, and the first event of a quiet period is applied
 * at once.
 */
import { hashKey, type QueryClient, type QueryKey } from '@tanstack/react-query';

/** Asks for a refetch of one query (`exact`) or of every query under a key prefix. */
export type Refetch = (queryKey: QueryKey, exact?: boolean) => void;

export const REFETCH_WINDOW_MS = 500;

export class RefetchQueue {
  private readonly pending = new Map<string, { queryKey: QueryKey; exact: boolean }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = -Infinity;

  constructor(
    private readonly qc: QueryClient,
    private readonly windowMs = REFETCH_WINDOW_MS,
  ) {}

  readonly add: Refetch = (queryKey, exact = true) => {
    this.pending.set(`${exact ? '=' : '^'}${hashKey(queryKey)}`, { queryKey, exact });
    this.schedule();
  };

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastFlush + this.windowMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    this.lastFlush = Date.now();
    for (const [hash, { queryKey, exact }] of this.pending) {
      // A fetch in flight may have read the state before the change: let it land, then refetch.
      if (this.qc.isFetching({ queryKey, exact }) > 0) continue;
      this.pending.delete(hash);
      void this.qc.invalidateQueries({ queryKey, exact }, { cancelRefetch: false });
    }
    if (this.pending.size > 0) this.schedule();
  }
}
