/**
 * The API client's `fetch`, wrapped so that a 401 (an expired or revoked token) never costs the
 * caller its request: the session gets new credentials (a refresh, or the user signs in again
 * in a dialog while the page and its forms stay as they are), then the same request is sent
 * again with the new token. A 401 comes from the authorizer before any handler ran, so sending
 * a write again is safe whether or not it carries an Idempotency-Key.
 */

export interface Reauthenticator {
  /** New credentials; rejects when the user gives up (then the 401 stands). */
  reauthenticate(): Promise<void>;
  /** The current bearer token. */
  token(): Promise<string | undefined>;
}

export interface ReauthFetchOptions {
  /** Per-attempt timeout of the client (ms): the retry gets a fresh one. */
  timeoutMs: number;
  /** Sign-ins per request before its 401 is returned (default 2). */
  maxReauth?: number;
}

const isTimeout = (reason: unknown) =>
  reason instanceof DOMException && reason.name === 'TimeoutError';

/**
 * The signal for a retry. The client's per-attempt signal combines the caller's signal with a
 * timeout that kept running while the user signed in: the retry gets a timeout of its own and
 * still follows the caller's cancellation (a reason other than the timeout).
 */
export function retrySignal(previous: AbortSignal | null | undefined, timeoutMs: number) {
  const timeout = AbortSignal.timeout(timeoutMs);
  if (!previous) return timeout;
  if (previous.aborted && !isTimeout(previous.reason)) return previous;
  const caller = new AbortController();
  previous.addEventListener(
    'abort',
    () => {
      if (!isTimeout(previous.reason)) caller.abort(previous.reason);
    },
    { once: true },
  );
  return AbortSignal.any([caller.signal, timeout]);
}

export function reauthenticatingFetch(
  base: typeof fetch,
  session: Reauthenticator,
  { timeoutMs, maxReauth = 2 }: ReauthFetchOptions,
): typeof fetch {
  return async (input, init) => {
    let res = await base(input, init);
    let signal = init?.signal;
    for (let i = 0; res.status === 401 && i < maxReauth; i++) {
      // Sent with a token that has since been replaced (another request's sign-in): just retry.
      const sent = new Headers(init?.headers).get('authorization');
      const now = await session.token();
      if (i > 0 || !now || `Bearer ${now}` === sent) {
        try {
          await session.reauthenticate();
        } catch {
          return res;
        }
      }
      void res.body?.cancel().catch(() => undefined);
      const headers = new Headers(init?.headers);
      const token = await session.token();
      if (token) headers.set('authorization', `Bearer ${token}`);
      else headers.delete('authorization');
      signal = retrySignal(signal, timeoutMs);
      res = await base(input, { ...init, headers, signal });
    }
    return res;
  };
}
