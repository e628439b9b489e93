/**
 * Typed errors. Anything in the code base throws one of these; one middleware
 * (shared/http/middleware.ts) renders them in the SPEC error shape.
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
export const preconditionFailed = (message: string, details?: ErrorDetails) =>
  new AppError(412, 'PreconditionFailed', message, details);
export const payloadTooLarge = (message: string, details?: ErrorDetails) =>
  new AppError(413, 'PayloadTooLarge', message, details);
export const unsupportedMediaType = (message: string) =>
  new AppError(415, 'UnsupportedMediaType', message);
export const validationError = (message: string, details: ErrorDetails) =>
  new AppError(422, 'ValidationError', message, details);
export const throttled = (retryAfterSeconds: number) =>
  new AppError(429, 'Throttled', 'Too many requests; retry later', undefined, {
    'retry-after': String(retryAfterSeconds),
  });
export const serviceUnavailable = (retryAfterSeconds: number) =>
  new AppError(503, 'ServiceUnavailable', 'Temporarily unavailable; retry later', undefined, {
    'retry-after': String(retryAfterSeconds),
  });
