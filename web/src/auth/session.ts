/**
 * Who the console calls the API as, in each mode of config.json:
 *
 * - `off` (local default): nobody signs in; the local gateway treats every caller as local-dev.
 * - `token` (`npm start -- --auth`): a pasted bearer token, kept in this tab's memory only.
 * - `oidc` (deployed): the Cognito hosted UI, authorization code + PKCE, through oidc-client-ts
 *   (web/src/auth/oidc.ts, loaded only in this mode), which refreshes the access token before
 *   it expires.
 *
 * After a 401 the API client (reauth-fetch.ts) calls `reauthenticate()`: one attempt for all
 * the requests that failed together. In `oidc` mode a refresh-token grant first; when that is
 * not possible, and always in `token` mode, `prompt` is set and ReauthDialog asks the user
 * (a token, or "Sign in again" in a popup) while the page, its forms and what was typed stay.
 */
import type { ConsoleConfig, OidcConfig } from '../lib/config.ts';
import type { OidcClient } from './oidc.ts';

export type AuthMode = ConsoleConfig['auth'];

export interface AuthState {
  mode: AuthMode;
  /** Who is signed in: e-mail, username or `sub` (undefined when nobody is). */
  user: string | undefined;
  /** Set while the console waits for the user to sign in again after a 401. */
  prompt: 'token' | 'oidc' | undefined;
  /** Why the last interactive sign-in failed, shown in the dialog. */
  error: string | undefined;
}

/** The user gave up signing in again: the request's 401 stands. */
export class ReauthCancelled extends Error {
  constructor() {
    super('Sign-in cancelled');
    this.name = 'ReauthCancelled';
  }
}

/** `sub` (or `email`, `username`) of a JWT's payload, for display only: nothing is verified. */
export function tokenSubject(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as Record<string, unknown>;
    const name = claims.email ?? claims.username ?? claims['cognito:username'] ?? claims.sub;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

export { safeReturnPath } from './return-path.ts';

export class AuthSession {
  private state: AuthState;
  private readonly listeners = new Set<() => void>();
  private pastedToken: string | undefined;
  private pending: Promise<void> | undefined;
  private waiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private oidcClient: Promise<OidcClient> | undefined;

  constructor(
    readonly mode: AuthMode,
    private readonly oidc?: OidcConfig,
    /** Replaceable in tests. */
    private readonly loadOidc: (cfg: OidcConfig) => Promise<OidcClient> = async (cfg) =>
      (await import('./oidc.ts')).createOidcClient(cfg),
  ) {
    this.state = { mode, user: undefined, prompt: undefined, error: undefined };
  }

  // ----- state for React (useSyncExternalStore) ----------------------------------------------

  getState = (): AuthState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<AuthState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  // ----- the token the API client sends ------------------------------------------------------

  async token(): Promise<string | undefined> {
    if (this.mode === 'token') return this.pastedToken;
    if (this.mode === 'oidc') return (await this.client()).accessToken();
    return undefined;
  }

  /** `token` mode: the token the user pasted (the first time, or in the dialog). */
  provideToken(token: string): void {
    this.pastedToken = token.trim() || undefined;
    this.set({ user: tokenSubject(this.pastedToken), prompt: undefined, error: undefined });
    this.settle();
  }

  // ----- oidc ---------------------------------------------------------------------------------

  /** The OIDC client, loaded on first use (only `oidc` mode pays for oidc-client-ts). */
  client(): Promise<OidcClient> {
    if (this.mode !== 'oidc' || !this.oidc) throw new Error('not in oidc mode');
    this.oidcClient ??= this.loadOidc(this.oidc).then((c) => {
      c.onUserChange((user) => this.set({ user }));
      return c;
    });
    return this.oidcClient;
  }

  // ----- after a 401 --------------------------------------------------------------------------

  /** New credentials for every request that failed with 401; one attempt at a time. */
  reauthenticate(): Promise<void> {
    if (this.mode === 'off') return Promise.reject(new Error('auth is off'));
    this.pending ??= this.runReauth().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async runReauth(): Promise<void> {
    if (this.mode === 'oidc') {
      const client = await this.client();
      if (await client.refresh().catch(() => false)) return;
    }
    await new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.set({ prompt: this.mode === 'oidc' ? 'oidc' : 'token', error: undefined });
    });
  }

  /** `oidc` mode, from the dialog's button (a click: browsers let it open the popup). */
  async signInAgain(): Promise<void> {
    try {
      await (await this.client()).signInPopup();
      this.set({ prompt: undefined, error: undefined });
      this.settle();
    } catch (err) {
      this.set({ error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** The user closed the dialog: the failed requests keep their 401 (and the page its state). */
  cancel(): void {
    this.set({ prompt: undefined, error: undefined });
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(new ReauthCancelled());
  }

  private settle() {
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve();
  }

  /** Forgets the credentials; in `oidc` mode also ends the hosted-UI session. */
  async signOut(): Promise<void> {
    if (this.mode === 'oidc') {
      await (await this.client()).signOut();
      return;
    }
    this.pastedToken = undefined;
    this.set({ user: undefined });
    location.assign('/');
  }
}

let current: AuthSession | undefined;

/** The session of this page (createApi sets it); auth-off when nothing did. */
export function authSession(): AuthSession {
  current ??= new AuthSession('off');
  return current;
}

export function setAuthSession(session: AuthSession): void {
  current = session;
}
