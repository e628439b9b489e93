/**
 * The Lambda `Context` the local runtimes (HTTP and WebSocket gateways, stream pollers, redrive)
 * hand to a handler: the fields the handlers read, with a deadline like Lambda's timeout.
 */
import type { Context } from 'aws-lambda';

export function lambdaContext(
  functionName: string,
  requestId: string,
  timeoutMs = 10_000,
): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
