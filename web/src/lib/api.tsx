/** The one API client of the console (client/), provided through context so tests can swap it. */
import { createContext, useContext, type ReactNode } from 'react';
import { InstancesClient } from '../../../client/index.ts';
import type { ConsoleConfig } from './config.ts';

export type Api = InstancesClient;

/** The token lives in memory only (docs/api.md, "Consuming from a browser"). */
let currentToken: string | undefined;
export const setToken = (token: string | undefined) => {
  currentToken = token?.trim() || undefined;
};

export function createApi(config: ConsoleConfig): Api {
  return new InstancesClient({
    baseUrl: config.apiUrl,
    wsUrl: config.wsUrl,
    token: () => currentToken,
    timeoutMs: 20_000,
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
