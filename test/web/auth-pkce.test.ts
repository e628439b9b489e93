/**
 * The console's sign-in protocol, end to end in Node: oidc-client-ts with the console's own
 * settings (web/src/auth/oidc.ts) against the test OpenID provider (support/oidc-provider.ts)
 * — authorization code + PKCE S256, the token the local stack's verifier accepts, refresh — and
 * what the provider refuses (no PKCE, a verifier that does not match, a refused refresh).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryWebStorage, OidcClient, WebStorageStateStore } from 'oidc-client-ts';
import {
  loadOrCreateKeys,
  localKeySet,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
} from '../../infra/local/auth.ts';
import { createVerifier } from '../../shared/auth/jwt.ts';
import { settingsFor } from '../../web/src/auth/oidc.ts';
import { parseOidc } from '../../web/src/lib/config.ts';
import { OidcProvider, s256 } from './support/oidc-provider.ts';

const REDIRECT = 'https://console.example.test/auth/callback';
let provider: OidcProvider;
let keys: Awaited<ReturnType<typeof loadOrCreateKeys>>;

beforeAll(async () => {
  keys = await loadOrCreateKeys(mkdtempSync(join(tmpdir(), 'auth-pkce-')));
  provider = new OidcProvider({ keys, clientId: 'console', redirectUris: [REDIRECT] });
  await provider.listen();
});
afterAll(() => provider?.close());

function client() {
  const cfg = parseOidc(
    { authority: provider.authority, clientId: 'console', redirectUri: REDIRECT },
    { origin: 'https://console.example.test', protocol: 'https:', host: 'console.example.test' },
  )!;
  return new OidcClient({
    ...settingsFor(cfg),
    stateStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
  });
}

/** What the sign-in page's form posts (the user pressing "Sign in"): the redirect back. */
async function approve(authorizeUrl: string): Promise<string> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<button type="submit">Sign in</button>');
  const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
  form.set('username', 'alice@example.test');
  const res = await fetch(`${provider.authority}/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

describe('console sign-in: authorization code + PKCE', () => {
  it('signs in with S256 PKCE; the access token passes the local stack verifier', async () => {
    const oidc = client();
    const request = await oidc.createSigninRequest({
      request_type: 'si:r',
      state: { returnTo: '/instances/7' },
    });
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe(`${provider.authority}/authorize`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('scope')).toBe('openid email');
    expect(request.url).not.toContain('code_verifier');

    const back = await approve(request.url);
    expect(back.startsWith(`${REDIRECT}?code=`)).toBe(true);
    const response = await oidc.processSigninResponse(back);
    expect(response.userState).toEqual({ returnTo: '/instances/7' });
    expect(response.refresh_token).toBeTruthy();
    expect(response.profile.sub).toBe('alice@example.test');
    expect(provider.events).toContain('token:code');

    const verify = createVerifier(
      { issuer: LOCAL_ISSUER, audiences: [LOCAL_AUDIENCE], jwksUrl: '' },
      localKeySet(keys),
    );
    const claims = await verify(response.access_token);
    expect(claims).toMatchObject({ sub: 'alice@example.test' });

    // The refresh-token grant (what automaticSilentRenew and a 401 use) gives a new token.
    const refreshed = await oidc.useRefreshToken({
      state: {
        refresh_token: response.refresh_token!,
        id_token: response.id_token,
        session_state: null,
        scope: response.scope,
        profile: response.profile,
        data: undefined,
      },
      timeoutInSeconds: 10,
    });
    expect(refreshed.access_token).not.toBe(response.access_token);
    expect(await verify(refreshed.access_token)).toMatchObject({ sub: 'alice@example.test' });
  });

  it('refuses a code_verifier that does not hash to the challenge, and a used code', async () => {
    const oidc = client();
    const request = await oidc.createSigninRequest({ request_type: 'si:r' });
    const back = new URL(await approve(request.url));
    const code = back.searchParams.get('code')!;
    const token = (verifier: string) =>
      fetch(`${provider.authority}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'console',
          redirect_uri: REDIRECT,
          code,
          code_verifier: verifier,
        }),
      });
    const wrong = 'x'.repeat(64);
    expect(s256(wrong)).not.toBe(new URL(request.url).searchParams.get('code_challenge'));
    const res = await token(wrong);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
    expect(provider.events).toContain('token:bad-verifier');
    // A code is good once, whatever happened to it.
    expect((await token(wrong)).status).toBe(400);
  });

  it('refuses a sign-in without PKCE S256', async () => {
    const url = new URL(`${provider.authority}/authorize`);
    url.search = new URLSearchParams({
      client_id: 'console',
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: 'abc',
      code_challenge_method: 'plain',
    }).toString();
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/S256/);
  });

  it('a refused refresh grant fails (then the console asks the user to sign in again)', async () => {
    const oidc = client();
    const request = await oidc.createSigninRequest({ request_type: 'si:r' });
    const response = await oidc.processSigninResponse(await approve(request.url));
    provider.refuseRefresh = true;
    try {
      await expect(
        oidc.useRefreshToken({
          state: {
            refresh_token: response.refresh_token!,
            id_token: response.id_token,
            session_state: null,
            scope: response.scope,
            profile: response.profile,
            data: undefined,
          },
          timeoutInSeconds: 10,
        }),
      ).rejects.toThrow(/refresh token expired or revoked/);
    } finally {
      provider.refuseRefresh = false;
    }
  });
});
