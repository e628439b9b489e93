/**
 * Typed errors for the SPEC error shape `{"error":{"type","message","details","request_id"},
 * "message"}` and API Gateway's own `{"message"}` bodies (no `details`): both carry a top-level
 * `message`.
 * `instanceof` picks the case; `type`, `details` and `requestId` carry what the server said.
 */

export class ApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** The error `type` from the body (`ValidationError`, `NotFound`, …). */
  readonly type: string;
  /** Per-field or per-case details, when the server sent them. */
  readonly details: Record<string, unknown> | undefined;
  /** `request_id` from the body, else the `X-Request-Id` header. */
  readonly requestId: string | undefined;
  /** Milliseconds from `Retry-After`, when the server sent it. */
  readonly retryAfterMs: number | undefined;
  readonly headers: Headers;
  readonly body: unknown;

  constructor(init: {
    status: number;
    type: string;
    message: string;
    details?: Record<string, unknown> | undefined;
    requestId?: string | undefined;
    retryAfterMs?: number | undefined;
    headers: Headers;
    body: unknown;
  }) {
    super(init.message);
    this.name = new.target.name;
    this.status = init.status;
    this.type = init.type;
    this.details = init.details;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.headers = init.headers;
    this.body = init.body;
  }
}

export class BadRequestError extends ApiError {}
export class UnauthorizedError extends ApiError {}
export class ForbiddenError extends ApiError {}
export class NotFoundError extends ApiError {}
export class MethodNotAllowedError extends ApiError {}
/** 409: duplicate name, a concurrent change, an atomic batch blocked, or an idempotent request still running. */
export class ConflictError extends ApiError {}
/** 412: `If-Match` named another version than the current one. */
export class PreconditionFailedError extends ApiError {}
export class PayloadTooLargeError extends ApiError {}
export class UnsupportedMediaTypeError extends ApiError {}
/** 422: `details` names each bad field. */
export class ValidationError extends ApiError {}
export class ThrottledError extends ApiError {}
export class ServerError extends ApiError {}
export class ServiceUnavailableError extends ServerError {}

const BY_STATUS: Record<number, typeof ApiError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  405: MethodNotAllowedError,
  409: ConflictError,
  412: PreconditionFailedError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  422: ValidationError,
  429: ThrottledError,
  503: ServiceUnavailableError,
};

/** The request never got an HTTP response (connection refused or reset, DNS, timeout). */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** A resumed subscription missed more records than the server replays: reload over HTTP. */
export class ResumeGapError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(message);
    this.name = 'ResumeGapError';
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface ErrorBodyShape {
  error?: { type?: unknown; message?: unknown; details?: unknown; request_id?: unknown };
  message?: unknown;
}

/** Builds the typed error for a non-2xx response from its status, headers and parsed body. */
export function errorFromResponse(status: number, headers: Headers, body: unknown): ApiError {
  const shaped = (body && typeof body === 'object' ? body : {}) as ErrorBodyShape;
  const e = shaped.error && typeof shaped.error === 'object' ? shaped.error : undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const Ctor = BY_STATUS[status] ?? (status >= 500 ? ServerError : ApiError);
  return new Ctor({
    status,
    type: str(e?.type) ?? (Ctor === ApiError ? 'HttpError' : Ctor.name.replace(/Error$/, '')),
    // Top-level `message` is in every error body, ours and API Gateway's.
    message: str(shaped.message) ?? str(e?.message) ?? `HTTP ${status}`,
    details:
      e?.details && typeof e.details === 'object'
        ? (e.details as Record<string, unknown>)
        : undefined,
    requestId: str(e?.request_id) ?? headers.get('x-request-id') ?? undefined,
    retryAfterMs: parseRetryAfter(headers.get('retry-after')),
    headers,
    body,
  });
}
