/**
 * Retry with exponential backoff and full jitter (the AWS Architecture Blog's recommendation)
 * for throttling and transient service errors. Anything else is not retried: it is the item's
 * own failure and gets reported.
 */
import { sleep as realSleep } from '../repo/instance-writer.ts';

const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'SlowDown',
  'RequestTimeout',
  'TimeoutError',
  'TransactionInProgressException',
]);
const TRANSIENT_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

/** Throttling, a 5xx, a dropped connection, or a transaction cancelled for throttling. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & {
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    CancellationReasons?: { Code?: string }[];
  };
  if (TRANSIENT_NAMES.has(e.name) || e.$retryable) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (e.code && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN)$/.test(e.code)) return true;
  if (e.name === 'TransactionCanceledException') {
    return (e.CancellationReasons ?? []).some((r) => TRANSIENT_REASONS.has(r.Code ?? ''));
  }
  return false;
}

export interface BackoffOptions {
  attempts?: number;
  baseMs?: number;
  capMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
  random?: () => number;
}

/** Runs `fn`; a transient failure is retried after `random(0, min(cap, base·2^n))` ms. */
export async function withBackoff<T>(fn: () => Promise<T>, opts: BackoffOptions = {}): Promise<T> {
  const {
    attempts = 8,
    baseMs = 50,
    capMs = 5_000,
    sleep = realSleep,
    random = Math.random,
  } = opts;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt + 1 >= attempts) throw err;
      await sleep(random() * Math.min(capMs, baseMs * 2 ** attempt));
    }
  }
}
