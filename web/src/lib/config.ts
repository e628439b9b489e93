/**
 * Runtime configuration: `/config.json`, written next to the console by whoever serves it
 * (infra/local/web.ts locally, the CDK deployment in AWS), so one build runs anywhere.
 */
export interface ConsoleConfig {
  /** Origin of the HTTP API; "" = the console's own origin. */
  apiUrl: string;
  /** WebSocket API URL. */
  wsUrl: string;
  /** "token": ask the operator for a bearer token (kept in memory only). */
  auth: 'off' | 'token';
}

export function defaultConfig(loc: Pick<Location, 'protocol' | 'host'> = location): ConsoleConfig {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return { apiUrl: '', wsUrl: `${scheme}://${loc.host}/ws`, auth: 'off' };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const fallback = defaultConfig();
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) return fallback;
    const sent = (await res.json()) as Partial<ConsoleConfig>;
    return {
      apiUrl: typeof sent.apiUrl === 'string' ? sent.apiUrl : fallback.apiUrl,
      wsUrl: typeof sent.wsUrl === 'string' && sent.wsUrl ? sent.wsUrl : fallback.wsUrl,
      auth: sent.auth === 'token' ? 'token' : 'off',
    };
  } catch {
    return fallback;
  }
}
