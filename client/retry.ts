/** Backoff arithmetic shared by HTTP retries and WebSocket reconnects. */

export interface BackoffPolicy {
  /** First delay cap, ms. */
  baseDelayMs: number;
  /** Largest delay cap, ms. */
  maxDelayMs: number;
  /** Source of randomness in [0, 1) (tests pin it). */
  random?: () => number;
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, base · 2^attempt)). */
export function fullJitter(attempt: number, p: BackoffPolicy): number {
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
  return Math.floor((p.random ?? Math.random)() * cap);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
