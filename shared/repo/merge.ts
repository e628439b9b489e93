/**
 * K-way merge of partitions that are each read in key order: what turns a sharded index key
 * (shared/config/tables.ts, `shardedValues`) back into one ordered walk. Each partition is a
 * `Head`: a buffer filled a page at a time, only when the merge needs its next entry.
 */

/** One page of a partition: its entries in order, and whether a later page may hold more. */
export interface HeadPage<T> {
  items: T[];
  more: boolean;
}

export class Head<T> {
  private buffer: T[] = [];
  private done = false;
  private inflight: Promise<HeadPage<T>> | undefined;
  private lowWater = 0;
  /** Pages fetched so far: the next page's size grows with it (see `pageLimit`). */
  fetched = 0;

  /**
   * `prefetch`: fetch the next page in the background once the buffer runs low, so that heads
   * draining at about the same pace query concurrently instead of one after another.
   */
  constructor(
    private readonly fetch: (head: Head<T>) => Promise<HeadPage<T>>,
    private readonly prefetch = false,
  ) {}

  peek(): T | undefined {
    return this.buffer[0];
  }

  take(): T {
    const item = this.buffer.shift()!;
    if (this.prefetch && this.buffer.length <= this.lowWater) this.start();
    return item;
  }

  /** No entry left, buffered or to fetch. */
  get exhausted(): boolean {
    return this.done && this.buffer.length === 0;
  }

  /** Fetches pages until an entry is buffered or the partition is over (empty pages happen). */
  async fill(): Promise<void> {
    while (this.buffer.length === 0 && !this.done) {
      let page: HeadPage<T>;
      try {
        page = await this.start()!;
      } finally {
        this.inflight = undefined; // a failed page is asked for again by the next fill
      }
      this.fetched++;
      this.buffer.push(...page.items);
      this.lowWater = Math.floor(page.items.length / 4);
      if (!page.more) this.done = true;
    }
  }

  /** The page being fetched, its fetch started if none is (one at a time, in order). */
  private start(): Promise<HeadPage<T>> | undefined {
    if (!this.inflight && !this.done) {
      this.inflight = this.fetch(this);
      // A prefetch nobody awaits any more (the walk stopped) must not fail the process; a
      // `fill` that awaits it still gets its error.
      this.inflight.catch(() => undefined);
    }
    return this.inflight;
  }
}

/**
 * The page size of a head's next query when `total` entries are wanted from `heads`
 * partitions: an even share and half again at first (entries spread about evenly then need one
 * round of queries, not a second one for the few partitions a little above their share),
 * doubling with each further page of the same head, up to `total` — a partition holding most
 * of the range costs a few queries more, not K times the reads.
 */
export function pageLimit(total: number, heads: number, fetched: number): number {
  const share = Math.ceil((1.5 * total) / heads) + 1;
  return Math.min(total, share * 2 ** fetched);
}

/**
 * Entries of every head in merged order (`first(a, b)`: a comes before b), each with the index
 * of its head. Heads are filled concurrently at the start and one at a time after, when the
 * entry taken was the last one buffered and the caller asks for the next: a walk that stops
 * after an entry reads nothing more (`anyLeft` tells whether anything follows).
 */
export async function* merged<T>(
  heads: readonly Head<T>[],
  first: (a: T, b: T) => boolean,
): AsyncGenerator<{ item: T; head: number }> {
  await Promise.all(heads.map((h) => h.fill()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const top = heads[i]!.peek();
      if (top !== undefined && (best < 0 || first(top, heads[best]!.peek()!))) best = i;
    }
    if (best < 0) return;
    const head = heads[best]!;
    yield { item: head.take(), head: best };
    await head.fill();
  }
}

/**
 * Whether any head has an entry left: at once when one has an entry buffered, otherwise after
 * filling those that may (one query each at most).
 */
export async function anyLeft<T>(heads: readonly Head<T>[]): Promise<boolean> {
  if (heads.some((h) => h.peek() !== undefined)) return true;
  await Promise.all(heads.map((h) => h.fill()));
  return heads.some((h) => !h.exhausted);
}
