/**
 * Runtime configuration: `/config.json`, written next to the console by whoever serves it
 * (infra/local/web.ts locally, the CDK deployment in AWS), so one build runs anywhere.
 */
import { CONSOLE_SIGN_IN } from '../../../shared/config/auth.ts';

/** Sign-in through an OIDC provider: authorization code + PKCE (web/src/auth/oidc.ts). */
export interface OidcConfig {
  /** The issuer: its discovery document is `${authority}/.well-known/openid-configuration`. */
  authority: string;
  /** A public client (no secret) allowed the authorization-code grant. */
  clientId: string;
  /** Where the provider sends the browser back (the console's `/auth/callback`). */
  redirectUri: string;
  /** Where the browser lands after signing out (the console's `/`). */
  logoutUri: string;
  scope: string;
  /**
   * The Cognito hosted-UI domain (`https://<prefix>.auth.<region>.amazoncognito.com`). Cognito
   * publishes no `end_session_endpoint`: sign-out goes to `<domain>/logout`.
   */
  hostedUiDomain?: string;
}

export interface ConsoleConfig {
  /** Origin of the HTTP API; "" = the console's own origin. */
  apiUrl: string;
  /** WebSocket API URL. */
  wsUrl: string;
  /**
   * "off": no sign-in (local default). "token": ask the operator for a bearer token (kept in
   * memory only; `npm start -- --auth`). "oidc": sign in through the provider in `oidc`.
   */
  auth: 'off' | 'token' | 'oidc';
  oidc?: OidcConfig;
}

type Loc = Pick<Location, 'protocol' | 'host' | 'origin'>;

export function defaultConfig(loc: Loc = location): ConsoleConfig {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return { apiUrl: '', wsUrl: `${scheme}://${loc.host}/ws`, auth: 'off' };
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

const httpUrl = (v: unknown): string | undefined => {
  const s = text(v);
  if (!s) return undefined;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? s.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
};

/** The `oidc` block, or undefined when it lacks what a sign-in needs. */
export function parseOidc(sent: unknown, loc: Loc = location): OidcConfig | undefined {
  if (!sent || typeof sent !== 'object') return undefined;
  const o = sent as Record<string, unknown>;
  const authority = httpUrl(o.authority);
  const clientId = text(o.clientId);
  if (!authority || !clientId) return undefined;
  const hostedUiDomain = httpUrl(o.hostedUiDomain);
  return {
    authority,
    clientId,
    redirectUri: httpUrl(o.redirectUri) ?? `${loc.origin}${CONSOLE_SIGN_IN.callbackPath}`,
    logoutUri: text(o.logoutUri) ?? `${loc.origin}/`,
    scope: text(o.scope) ?? CONSOLE_SIGN_IN.scope,
    ...(hostedUiDomain ? { hostedUiDomain } : {}),
  };
}

/**
 * What config.json says, with defaults for what it leaves out. An `oidc` mode whose settings
 * are incomplete falls back to asking for a token: the console still opens, never unprotected.
 */
export function parseConfig(sent: unknown, loc: Loc = location): ConsoleConfig {
  const fallback = defaultConfig(loc);
  const s = (sent && typeof sent === 'object' ? sent : {}) as Record<string, unknown>;
  const base = {
    apiUrl: typeof s.apiUrl === 'string' ? s.apiUrl : fallback.apiUrl,
    wsUrl: text(s.wsUrl) ?? fallback.wsUrl,
  };
  if (s.auth === 'oidc') {
    const oidc = parseOidc(s.oidc, loc);
    return oidc ? { ...base, auth: 'oidc', oidc } : { ...base, auth: 'token' };
  }
  return { ...base, auth: s.auth === 'token' ? 'token' : 'off' };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) return defaultConfig();
    return parseConfig(await res.json());
  } catch {
    return defaultConfig();
  }
}
