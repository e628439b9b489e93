/**
 * Which AWS errors are worth trying again. The SDK's own classification (the one its retry
 * strategy uses) plus what it leaves out for DynamoDB: a transaction cancelled only because
 * another transaction touched the same item, and a transaction still in progress.
 */
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { SdkError } from '@smithy/types';

const CANCELLED_RETRYABLE = new Set(['TransactionConflict', 'ThrottlingError']);

export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as SdkError & { CancellationReasons?: { Code?: string }[] };
  if (isTransientError(e) || isThrottlingError(e)) return true;
  if (e.name === 'TransactionInProgressException') return true;
  if (e.name === 'TransactionCanceledException')
    return (e.CancellationReasons ?? []).some((r) => CANCELLED_RETRYABLE.has(r.Code ?? ''));
  return false;
}
