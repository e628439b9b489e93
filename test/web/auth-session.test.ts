/**
 * The pure parts of the console's sign-in: config.json parsing, the session's re-authentication
 * (one attempt for every request that failed together; a refresh first in oidc mode; the dialog
 * otherwise) and the fetch wrapper that sends a request again after a 401 with the new token.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../web/src/lib/config.ts';
import {
  AuthSession,
  ReauthCancelled,
  safeReturnPath,
  tokenSubject,
} from '../../web/src/auth/session.ts';
import { reauthenticatingFetch, retrySignal } from '../../web/src/auth/reauth-fetch.ts';
import type { OidcClient } from '../../web/src/auth/oidc.ts';

const loc = { origin: 'https://c.example', protocol: 'https:', host: 'c.example' };

const jwt = (claims: Record<string, unknown>) =>
  `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;

describe('config.json', () => {
  it('defaults to auth off on the page’s own origin', () => {
    expect(parseConfig(undefined, loc)).toEqual({
      apiUrl: '',
      wsUrl: 'wss://c.example/ws',
      auth: 'off',
    });
    expect(parseConfig({ auth: 'token' }, loc).auth).toBe('token');
    expect(parseConfig({ auth: 'something' }, loc).auth).toBe('off');
  });

  it('reads the oidc settings, with the callback route and home as defaults', () => {
    const c = parseConfig(
      {
        auth: 'oidc',
        oidc: {
          authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/',
          clientId: 'client1',
          hostedUiDomain: 'https://x.auth.eu-west-1.amazoncognito.com',
        },
      },
      loc,
    );
    expect(c).toMatchObject({
      auth: 'oidc',
      oidc: {
        authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
        clientId: 'client1',
        redirectUri: 'https://c.example/auth/callback',
        logoutUri: 'https://c.example/',
        scope: 'openid email',
        hostedUiDomain: 'https://x.auth.eu-west-1.amazoncognito.com',
      },
    });
  });

  it('incomplete oidc settings fall back to asking for a token, never to auth off', () => {
    expect(parseConfig({ auth: 'oidc', oidc: { clientId: 'x' } }, loc)).toMatchObject({
      auth: 'token',
    });
    expect(
      parseConfig({ auth: 'oidc', oidc: { authority: 'javascript:alert(1)', clientId: 'x' } }, loc)
        .auth,
    ).toBe('token');
  });
});

describe('helpers', () => {
  it('names the token’s user for the header, without trusting it for anything else', () => {
    expect(tokenSubject(jwt({ sub: 'abc', email: 'a@b.c' }))).toBe('a@b.c');
    expect(tokenSubject(jwt({ sub: 'abc' }))).toBe('abc');
    expect(tokenSubject('garbage')).toBeUndefined();
    expect(tokenSubject(undefined)).toBeUndefined();
  });

  it('returns only to a path of this origin after sign-in', () => {
    expect(safeReturnPath('/instances/4?x=1')).toBe('/instances/4?x=1');
    expect(safeReturnPath('//evil.example/')).toBe('/');
    expect(safeReturnPath('https://evil.example/')).toBe('/');
    expect(safeReturnPath('/\\evil.example/')).toBe('/');
    expect(safeReturnPath(undefined)).toBe('/');
  });
});

describe('AuthSession', () => {
  it('token mode: a 401 asks for a new token once for all waiting requests', async () => {
    const s = new AuthSession('token');
    s.provideToken(jwt({ sub: 'alice' }));
    expect(s.getState().user).toBe('alice');
    const a = s.reauthenticate();
    const b = s.reauthenticate();
    expect(a).toBe(b);
    expect(s.getState().prompt).toBe('token');
    s.provideToken('new-token');
    await a;
    expect(s.getState().prompt).toBeUndefined();
    expect(await s.token()).toBe('new-token');
  });

  it('token mode: closing the dialog lets the 401 stand', async () => {
    const s = new AuthSession('token');
    const p = s.reauthenticate();
    s.cancel();
    await expect(p).rejects.toBeInstanceOf(ReauthCancelled);
    expect(s.getState().prompt).toBeUndefined();
  });

  const fakeOidc = (over: Partial<OidcClient> = {}): OidcClient => ({
    accessToken: async () => 'at',
    restore: async () => true,
    signInRedirect: async () => undefined,
    handleCallback: async () => ({ done: 'redirect', returnTo: '/' }),
    refresh: async () => true,
    signInPopup: async () => undefined,
    signOut: async () => undefined,
    onUserChange: () => undefined,
    ...over,
  });
  const oidcCfg = {
    authority: 'https://idp',
    clientId: 'c',
    redirectUri: 'https://c/auth/callback',
    logoutUri: 'https://c/',
    scope: 'openid',
  };

  it('oidc mode: a refresh-token grant is tried first; no dialog when it works', async () => {
    const refresh = vi.fn(async () => true);
    const load = vi.fn(async () => fakeOidc({ refresh }));
    const s = new AuthSession('oidc', oidcCfg, load);
    await s.reauthenticate();
    expect(refresh).toHaveBeenCalledOnce();
    expect(s.getState().prompt).toBeUndefined();
    expect(await s.token()).toBe('at');
    expect(load).toHaveBeenCalledOnce();
  });

  it('oidc mode: a refused refresh opens the dialog; a failed popup keeps it open with the reason', async () => {
    let popups = 0;
    const s = new AuthSession('oidc', oidcCfg, async () =>
      fakeOidc({
        refresh: async () => {
          throw new Error('invalid_grant');
        },
        signInPopup: async () => {
          if (++popups === 1) throw new Error('Popup closed by user');
        },
      }),
    );
    const p = s.reauthenticate();
    await vi.waitFor(() => expect(s.getState().prompt).toBe('oidc'));
    await s.signInAgain();
    expect(s.getState()).toMatchObject({ prompt: 'oidc', error: 'Popup closed by user' });
    await s.signInAgain();
    await p;
    expect(s.getState()).toMatchObject({ prompt: undefined, error: undefined });
  });

  it('auth off: nothing to re-authenticate', async () => {
    await expect(new AuthSession('off').reauthenticate()).rejects.toThrow();
    expect(await new AuthSession('off').token()).toBeUndefined();
  });
});

describe('reauthenticatingFetch', () => {
  const ok = () => new Response('{}', { status: 200 });
  const unauthorized = () => new Response('{"message":"Unauthorized"}', { status: 401 });

  it('after a 401: signs in again, then sends the same request with the new token', async () => {
    let token = 'old';
    const base = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) =>
      new Headers(init?.headers).get('authorization') === 'Bearer new' ? ok() : unauthorized(),
    );
    const session = {
      reauthenticate: vi.fn(async () => {
        token = 'new';
      }),
      token: async () => token,
    };
    const f = reauthenticatingFetch(base as typeof fetch, session, { timeoutMs: 1000 });
    const res = await f('/api/instances/1', {
      method: 'PATCH',
      headers: { authorization: 'Bearer old', 'if-match': '"3"' },
      body: '{"replicas":4}',
    });
    expect(res.status).toBe(200);
    expect(session.reauthenticate).toHaveBeenCalledOnce();
    const retry = base.mock.calls[1]!;
    expect(retry[1]).toMatchObject({ method: 'PATCH', body: '{"replicas":4}' });
    const headers = new Headers(retry[1]!.headers);
    expect(headers.get('if-match')).toBe('"3"');
    expect(headers.get('authorization')).toBe('Bearer new');
  });

  it('a request sent with a token replaced since is just sent again, without a new sign-in', async () => {
    const base = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) =>
      new Headers(init?.headers).get('authorization') === 'Bearer new' ? ok() : unauthorized(),
    );
    const reauthenticate = vi.fn(async () => undefined);
    const f = reauthenticatingFetch(
      base as typeof fetch,
      { reauthenticate, token: async () => 'new' },
      { timeoutMs: 1000 },
    );
    const res = await f('/api/instances', { headers: { authorization: 'Bearer old' } });
    expect(res.status).toBe(200);
    expect(reauthenticate).not.toHaveBeenCalled();
  });

  it('returns the 401 when the user gives up, and stops after two sign-ins', async () => {
    const base = vi.fn(async () => unauthorized());
    const cancelled = reauthenticatingFetch(
      base as unknown as typeof fetch,
      { reauthenticate: async () => Promise.reject(new ReauthCancelled()), token: async () => 't' },
      { timeoutMs: 1000 },
    );
    expect((await cancelled('/api/x', { headers: { authorization: 'Bearer t' } })).status).toBe(
      401,
    );
    expect(base).toHaveBeenCalledOnce();

    base.mockClear();
    const reauth = vi.fn(async () => undefined);
    const stubborn = reauthenticatingFetch(
      base as unknown as typeof fetch,
      { reauthenticate: reauth, token: async () => 't' },
      { timeoutMs: 1000 },
    );
    expect((await stubborn('/api/x', { headers: { authorization: 'Bearer t' } })).status).toBe(401);
    expect(reauth).toHaveBeenCalledTimes(2);
    expect(base).toHaveBeenCalledTimes(3);
  });

  it('the retry gets a fresh timeout but still follows the caller’s cancellation', () => {
    const timedOut = AbortSignal.abort(new DOMException('t', 'TimeoutError'));
    const fresh = retrySignal(timedOut, 1000);
    expect(fresh.aborted).toBe(false);

    const caller = new AbortController();
    const combined = AbortSignal.any([caller.signal, AbortSignal.timeout(60_000)]);
    const next = retrySignal(combined, 60_000);
    caller.abort(new Error('navigated away'));
    expect(next.aborted).toBe(true);
    expect((next.reason as Error).message).toBe('navigated away');

    const userAborted = AbortSignal.abort(new Error('stop'));
    expect(retrySignal(userAborted, 1000)).toBe(userAborted);
  });
});
