/** The one API client of the console (client/), provided through context so tests can swap it. */
import { createContext, useContext, type ReactNode } from 'react';
import { InstancesClient } from '../../../client/index.ts';
import type { ConsoleConfig } from './config.ts';
import { AuthSession, authSession, setAuthSession } from '../auth/session.ts';
import { reauthenticatingFetch } from '../auth/reauth-fetch.ts';

export type Api = InstancesClient;

const TIMEOUT_MS = 20_000;

/** `token` mode: the token lives in memory only (docs/api.md, "Consuming from a browser"). */
export const setToken = (token: string | undefined) => authSession().provideToken(token ?? '');

/** One session per configuration, however often React calls this (StrictMode renders twice). */
const sessions = new WeakMap<ConsoleConfig, AuthSession>();

/**
 * Every call sends the session's current token; a 401 makes the session sign in again (a
 * refresh, or a dialog over the page, which keeps what the user typed) and the call is sent
 * again, so every form and query gets this without code of its own.
 */
export function createApi(config: ConsoleConfig): Api {
  let session = sessions.get(config);
  if (!session) {
    session = new AuthSession(config.auth, config.oidc);
    sessions.set(config, session);
  }
  setAuthSession(session);
  const s = session;
  return new InstancesClient({
    baseUrl: config.apiUrl,
    wsUrl: config.wsUrl,
    token: () => s.token(),
    timeoutMs: TIMEOUT_MS,
    ...(config.auth === 'off'
      ? {}
      : { fetch: reauthenticatingFetch((...a) => fetch(...a), s, { timeoutMs: TIMEOUT_MS }) }),
  });
}

const ApiContext = createContext<Api | null>(null);

export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}
