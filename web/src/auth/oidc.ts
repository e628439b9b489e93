/**
 * Sign-in through an OIDC provider (the Cognito hosted UI when deployed) with oidc-client-ts:
 * authorization code + PKCE (S256) for a public client, the callback at
 * CONSOLE_SIGN_IN.callbackPath, refresh-token grants (before expiry: automaticSilentRenew; after
 * a 401: `refresh()`), a popup to sign in again without leaving the page, and sign-out through
 * the hosted UI. Loaded with a dynamic import, only in `oidc` mode.
 *
 * Tokens stay in this tab's memory (docs/api.md, "Consuming from a browser"): a reload signs in
 * again through the hosted UI, whose own session usually makes that a pass-through. Only the
 * short-lived sign-in request (state, PKCE verifier) is in localStorage, which the popup and
 * the redirect back need, and it is removed when used.
 */
import {
  InMemoryWebStorage,
  UserManager,
  WebStorageStateStore,
  type User,
  type UserManagerSettings,
} from 'oidc-client-ts';
import type { OidcConfig } from '../lib/config.ts';
import { safeReturnPath } from './return-path.ts';

export interface OidcClient {
  /** The current access token, if signed in and not expired. */
  accessToken(): Promise<string | undefined>;
  /** True when a user is signed in (in this tab's memory). */
  restore(): Promise<boolean>;
  /** Full-page redirect to the hosted UI; comes back to `returnTo`. */
  signInRedirect(returnTo: string): Promise<void>;
  /**
   * On the callback route: finishes the sign-in. `{ done: 'redirect', returnTo }` in the main
   * window; `{ done: 'popup' }` in a popup, which hands the response to its opener and closes.
   */
  handleCallback(url: string): Promise<{ done: 'redirect'; returnTo: string } | { done: 'popup' }>;
  /** Refresh-token grant; false when there is no refresh token. Throws when refused. */
  refresh(): Promise<boolean>;
  signInPopup(): Promise<void>;
  signOut(): Promise<void>;
  onUserChange(listener: (name: string | undefined) => void): void;
}

export function settingsFor(cfg: OidcConfig): UserManagerSettings {
  return {
    authority: cfg.authority,
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    popup_redirect_uri: cfg.redirectUri,
    post_logout_redirect_uri: cfg.logoutUri,
    response_type: 'code',
    scope: cfg.scope,
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    automaticSilentRenew: true,
    // Refresh tokens, not a hidden iframe (the console forbids framing: frame-ancestors 'none').
    revokeTokenTypes: ['refresh_token'],
    revokeTokensOnSignout: true,
    loadUserInfo: false,
    ...(cfg.hostedUiDomain
      ? {
          metadataSeed: {
            end_session_endpoint: `${cfg.hostedUiDomain}/logout`,
            revocation_endpoint: `${cfg.hostedUiDomain}/oauth2/revoke`,
          },
        }
      : {}),
  };
}

const nameOf = (user: User | null | undefined): string | undefined => {
  if (!user || user.expired) return undefined;
  const p = user.profile as Record<string, unknown>;
  const name = p.email ?? p['cognito:username'] ?? p.preferred_username ?? p.sub;
  return typeof name === 'string' ? name : undefined;
};

export function createOidcClient(cfg: OidcConfig): OidcClient {
  const manager = new UserManager(settingsFor(cfg));
  const listeners = new Set<(name: string | undefined) => void>();
  const notify = (user: User | null) => listeners.forEach((l) => l(nameOf(user)));
  manager.events.addUserLoaded((u) => notify(u));
  manager.events.addUserUnloaded(() => notify(null));

  return {
    async accessToken() {
      const user = await manager.getUser();
      return user && !user.expired ? user.access_token : undefined;
    },
    async restore() {
      const user = await manager.getUser();
      if (user && !user.expired) {
        notify(user);
        return true;
      }
      return false;
    },
    signInRedirect: (returnTo) => manager.signinRedirect({ state: { returnTo } }),
    async handleCallback(url) {
      const user = await manager.signinCallback(url);
      if (!user) return { done: 'popup' };
      return {
        done: 'redirect',
        returnTo: safeReturnPath((user.state as { returnTo?: unknown } | undefined)?.returnTo),
      };
    },
    async refresh() {
      const user = await manager.getUser();
      if (!user?.refresh_token) return false;
      return (await manager.signinSilent()) !== null;
    },
    async signInPopup() {
      await manager.signinPopup();
    },
    async signOut() {
      const user = await manager.getUser();
      await manager.signoutRedirect({
        // Cognito's /logout wants client_id and logout_uri (one of the client's sign-out URLs).
        extraQueryParams: cfg.hostedUiDomain
          ? { client_id: cfg.clientId, logout_uri: cfg.logoutUri }
          : {},
        ...(user?.id_token ? { id_token_hint: user.id_token } : {}),
      });
    },
    onUserChange(listener) {
      listeners.add(listener);
    },
  };
}
