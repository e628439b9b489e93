/**
 * Auth settings shared by the CDK stack and the local runtime. Deployed, API Gateway's JWT
 * authorizer checks HTTP tokens and handlers enforce scopes from the claims; the WebSocket
 * `$connect` handler verifies `?token=` itself against the same issuer (API Gateway WebSocket
 * APIs have no JWT authorizer). When JWT_ISSUER is unset (local default), auth is off.
 */
export const AUTH_ENV = {
  issuer: 'JWT_ISSUER',
  /** Comma-separated accepted audiences (`aud`, or `client_id` for Cognito access tokens). */
  audience: 'JWT_AUDIENCE',
  /** JWKS URL; defaults to `${issuer}/.well-known/jwks.json`. */
  jwksUrl: 'JWKS_URL',
} as const;

export const SCOPES = {
  read: 'instances:read',
  write: 'instances:write',
  admin: 'instances:admin',
} as const;
