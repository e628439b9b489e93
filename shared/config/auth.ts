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

/**
 * Time limits every token must meet, in the one verifier the local gateway (`--auth`) and the
 * WebSocket `$connect` handler share (shared/auth/jwt.ts).
 */
export const TOKEN_LIMITS = {
  /**
   * Longest accepted lifetime (`exp - iat`). 24 h is the longest access or ID token a Cognito
   * user pool issues (this stack's own clients issue 1 h tokens), so a longer-lived token is
   * not one of ours: it is forged with a leaked key or minted by a misconfigured issuer.
   */
  maxLifetimeSeconds: 24 * 60 * 60,
  /**
   * Clock difference tolerated between the issuer and the verifier, applied to `exp`, `nbf`
   * and `iat` (an `iat` or `nbf` further in the future than this is refused).
   */
  clockSkewSeconds: 60,
} as const;

/**
 * The console's sign-in through an OIDC provider (the Cognito hosted UI when deployed): the
 * route the provider redirects back to (also the popup's), and what the console asks for. The
 * dashboard client's callback URLs (infra/constructs/auth.ts) and config.json
 * (infra/constructs/console.ts) are built from the same values.
 */
export const CONSOLE_SIGN_IN = {
  callbackPath: '/auth/callback',
  /** No instance scopes: rights come from the groups an admin puts the user in. */
  scope: 'openid email',
} as const;
