/**
 * JWT verification with `jose`: what API Gateway's JWT authorizer does for HTTP routes, done
 * in code where API Gateway offers no JWT authorizer (WebSocket `$connect`) and by the local
 * gateway in `--auth` mode. Keys come from the issuer's JWKS (cached by jose).
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AUTH_ENV } from '../config/auth.ts';

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

export function createVerifier(config: VerifierConfig, keys?: JWTVerifyGetKey) {
  const getKey = keys ?? createRemoteJWKSet(new URL(config.jwksUrl));
  /** Claims of a valid token, or null (expired, forged, wrong issuer or audience, malformed). */
  return async (token: string | undefined): Promise<Claims | null> => {
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: config.issuer,
        clockTolerance: 5,
      });
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
