/**
 * Lambda's synchronous response payload limit, which API Gateway inherits: it answers 502 when
 * the JSON of a handler's whole result (`{statusCode, headers, body}`, the body string escaped
 * inside it) passes this.
 */
export const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

/** Bytes of `result` as a Lambda response payload. */
export const lambdaResponseBytes = (result: unknown): number =>
  Buffer.byteLength(JSON.stringify(result));

/**
 * Whether `result` passes the limit. A body of n UTF-16 units takes at most 6n bytes in the
 * payload (`\uXXXX`), so most responses are cleared without serialising them again.
 */
export const exceedsLambdaResponse = (result: { body?: string }): boolean =>
  (result.body?.length ?? 0) * 6 > LAMBDA_RESPONSE_LIMIT &&
  lambdaResponseBytes(result) > LAMBDA_RESPONSE_LIMIT;
