/**
 * Bounded concurrency for fanning calls out to AWS services (item writes, WebSocket posts).
 * Kept apart from the repositories so a caller that only needs the bound, such as the
 * WebSocket publisher, does not bundle them.
 */

/**
 * `fn` over every item with at most `limit` calls in flight; the results in input order. The
 * first rejection rejects the whole call, as `Promise.all` does.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}
