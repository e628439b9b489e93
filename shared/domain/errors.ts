/**
 * Typed errors. Anything in the code base throws one of these; `errorObject` / `errorBody` below
 * are the one rendering of them in the SPEC error shape, for HTTP responses
 * (shared/http/middleware.ts) and WebSocket error messages (shared/ws/protocol.ts) alike.
 */

export type ErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  readonly status: number;
  readonly type: string;
  readonly details: ErrorDetails | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    type: string,
    message: string,
    details?: ErrorDetails,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = type;
    this.status = status;
    this.type = type;
    this.details = details;
    this.headers = headers;
  }
}

export const badRequest = (message: string, details?: ErrorDetails) =>
  new AppError(400, 'BadRequest', message, details);
export const unauthorized = (message = 'Missing or invalid token') =>
  new AppError(401, 'Unauthorized', message);
export const forbidden = (message: string) => new AppError(403, 'Forbidden', message);
export const notFound = (message: string, details?: ErrorDetails) =>
  new AppError(404, 'NotFound', message, details);
export const methodNotAllowed = (allowed: readonly string[]) =>
  new AppError(
    405,
    'MethodNotAllowed',
    'Method not allowed',
    { allowed },
    {
      allow: allowed.join(', '),
    },
  );
export const conflict = (message: string, details?: ErrorDetails) =>
  new AppError(409, 'Conflict', message, details);
export const gone = (message: string) => new AppError(410, 'Gone', message);
export const preconditionFailed = (message: string, details?: ErrorDetails) =>
  new AppError(412, 'PreconditionFailed', message, details);
export const payloadTooLarge = (message: string, details?: ErrorDetails) =>
  new AppError(413, 'PayloadTooLarge', message, details);
export const unsupportedMediaType = (message: string) =>
  new AppError(415, 'UnsupportedMediaType', message);
export const validationError = (message: string, details: ErrorDetails) =>
  new AppError(422, 'ValidationError', message, details);
export const throttled = (
  retryAfterSeconds: number,
  message = 'Too many requests; retry later',
  details?: ErrorDetails,
) => new AppError(429, 'Throttled', message, details, { 'retry-after': String(retryAfterSeconds) });
export const internalError = (message = 'Internal server error') =>
  new AppError(500, 'InternalError', message);
export const serviceUnavailable = (retryAfterSeconds: number) =>
  new AppError(503, 'ServiceUnavailable', 'Temporarily unavailable; retry later', undefined, {
    'retry-after': String(retryAfterSeconds),
  });

/**
 * The SPEC error object: what an HTTP error body and a WebSocket error message carry. `details`
 * is always there, empty when the message says it all, so a caller can read
 * `error.details.<field>` without first asking whether it exists.
 */
export interface ErrorObject {
  type: string;
  message: string;
  details: ErrorDetails;
}

export function errorObject(err: AppError): ErrorObject {
  return { type: err.type, message: err.message, details: err.details ?? {} };
}

/**
 * The HTTP error body: the error object with the request id, plus a top-level `message` (the
 * same text as `error.message`). API Gateway's own 401 / 413 / 429 bodies are `{"message": …}`,
 * so `body.message` reads every error, ours and the gateway's, and clients written against
 * either shape keep working.
 */
export function errorBody(err: AppError, requestId: string) {
  return { error: { ...errorObject(err), request_id: requestId }, message: err.message };
}
