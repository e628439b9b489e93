/**
 * Test-only fault injection (`npm start -- --inject-stream-throttle RATE`, used by
 * `npm run soak`): each stream consumer's own handler module, wrapped so that a fraction RATE
 * of its invocations throw what DynamoDB throws when a table is over its throughput before the
 * handler runs. The poller treats it like any thrown error (bisect, back off, retry), which is
 * what Lambda does with a throttled batch, so nothing may be lost or written twice.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumers } from '../../shared/config/streams.ts';
import { loadHandler } from './handlers.ts';
import type { StreamHandler } from './stream-poller.ts';

/** The log line of each injected throttle. */
export const INJECTED = 'injected throttle';

/** Shaped like the SDK's ProvisionedThroughputExceededException (a retryable throttle). */
export class InjectedThrottle extends Error {
  override readonly name = 'ProvisionedThroughputExceededException';
  readonly $fault = 'client';
  readonly $retryable = { throttling: true };
  constructor() {
    super('Injected throttle (--inject-stream-throttle): the request rate is too high');
  }
}

export interface ThrottleSwitch {
  rate: number;
  on: boolean;
}

/** Handlers for `LocalStackOptions.streamHandlers`; `control.on` can be flipped at run time. */
export function throttledStreamHandlers(
  control: ThrottleSwitch,
  random: () => number = Math.random,
): Record<string, StreamHandler> {
  const wrapped: Record<string, StreamHandler> = {};
  for (const consumer of streamConsumers) {
    wrapped[consumer.id] = async (event, context) => {
      if (control.on && random() < control.rate) {
        // One line each, so a run can show the fault really happened (the soak counts them).
        console.error(`[stream ${consumer.id}] ${INJECTED}`);
        throw new InjectedThrottle();
      }
      const handler = await loadHandler<DynamoDBStreamEvent, DynamoDBBatchResponse | undefined>(
        consumer.handler,
      );
      return handler(event, context);
    };
  }
  return wrapped;
}
