/**
 * CORS for browser clients (the React dashboard), declared once: the CDK HTTP API's
 * `corsPreflight` and the local gateway use these lists. Allowed origins are configuration
 * (CDK context `corsOrigins`; locally `CORS_ORIGINS`, comma-separated).
 */
/** Headers the handlers read; browsers may only send what is listed here. */
export const CORS_ALLOW_HEADERS = [
  'authorization',
  'content-type',
  'if-match',
  'if-none-match',
  'idempotency-key',
  'x-change-reason',
  'x-request-id',
] as const;

/** Response headers the handlers set that a browser script may read. */
export const CORS_EXPOSE_HEADERS = [
  'etag',
  'location',
  'retry-after',
  'x-request-id',
  'idempotent-replayed',
  'content-disposition',
] as const;

export const CORS_MAX_AGE_SECONDS = 3600;

/** Local default: the usual dev-server origins of a React dashboard. */
export const LOCAL_CORS_ORIGINS = ['http://localhost:3000', 'http://localhost:5173'];
