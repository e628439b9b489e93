/**
 * JWT verification with `jose`: what API Gateway's JWT authorizer does for HTTP routes, done
 * in code where API Gateway offers no JWT authorizer (WebSocket `$connect`) and by the local
 * gateway in `--auth` mode. Keys come from the issuer's JWKS (cached by jose).
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AUTH_ENV, TOKEN_LIMITS } from '../config/auth.ts';

export interface VerifierConfig {
  issuer: string;
  audiences: string[];
  jwksUrl: string;
}

export type Claims = JWTPayload & Record<string, unknown>;

/** Auth settings from the environment, or null when auth is off (local default). */
export function authConfigFromEnv(env = process.env): VerifierConfig | null {
  const issuer = env[AUTH_ENV.issuer];
  if (!issuer) return null;
  return {
    issuer,
    audiences: (env[AUTH_ENV.audience] ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    jwksUrl: env[AUTH_ENV.jwksUrl] || `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`,
  };
}

/**
 * A token verifier with the checks API Gateway's JWT authorizer makes, plus a required `iat`
 * and a lifetime limit, which API Gateway leaves to the issuer. A token is accepted only when:
 * - its header names a `kid` that is in the JWKS and whose key verifies the signature (jose's
 *   key sets would otherwise fall back to the only key of the right type when `kid` is absent);
 * - `iss` matches and `aud` (or Cognito's `client_id`) is one of the audiences;
 * - `exp` and `iat` are present, `exp` is not past, and neither `iat` nor `nbf` is in the
 *   future, all within `TOKEN_LIMITS.clockSkewSeconds`;
 * - `exp - iat` is at most `TOKEN_LIMITS.maxLifetimeSeconds` (a token valid for a century is
 *   as good as a password that never expires if it leaks).
 */
export function createVerifier(config: VerifierConfig, keys?: JWTVerifyGetKey) {
  const keySet = keys ?? createRemoteJWKSet(new URL(config.jwksUrl));
  const byKid: JWTVerifyGetKey = (header, token) => {
    if (typeof header.kid !== 'string' || header.kid === '') throw new Error('token has no kid');
    return keySet(header, token);
  };
  const { maxLifetimeSeconds, clockSkewSeconds } = TOKEN_LIMITS;
  /** Claims of a valid token, or null (expired, forged, wrong issuer or audience, malformed). */
  return async (token: string | undefined): Promise<Claims | null> => {
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, byKid, {
        issuer: config.issuer,
        requiredClaims: ['exp'],
        // Makes `iat` required and refuses one in the future; the lifetime check below is the
        // stricter bound on its age (age < lifetime while the token is unexpired).
        maxTokenAge: maxLifetimeSeconds,
        clockTolerance: clockSkewSeconds,
      });
      const { exp, iat } = payload;
      if (exp === undefined || iat === undefined || exp - iat > maxLifetimeSeconds) return null;
      // Like API Gateway: `aud` must match, or `client_id` for Cognito access tokens.
      const aud = [payload.aud ?? [], payload.client_id ?? []].flat().map(String);
      if (config.audiences.length && !aud.some((a) => config.audiences.includes(a))) return null;
      return payload as Claims;
    } catch {
      return null;
    }
  };
}

export const bearerToken = (authorization: string | undefined): string | undefined => {
  const m = /^Bearer\s+([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(authorization?.trim() ?? '');
  return m?.[1];
};
