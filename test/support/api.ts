/** Minimal HTTP helper for integration tests against the local stack. */
import { expect, inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** The shared local stack, started by the `integration` project's global setup. */
export const stack = () => {
  const info = inject('stack');
  if (!info) {
    throw new Error(
      'No local stack here: tests that use it belong to the "integration" project (vitest.config.ts)',
    );
  }
  return info;
};

export async function api<T = any>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${stack().url}${path}`, init);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/**
 * The running test file's name (`websocket` for test/integration/websocket.test.ts): the prefix
 * of every name `uniqueName` makes, so each file's instances, clusters and models are its own.
 */
export function fileTag(): string {
  const path = expect.getState().testPath;
  return path ? basename(path).replace(/\.test\.tsx?$/, '') : 'test';
}

/** A name no other test file (or test, or run) uses: `<file>-<prefix>-<random>`. */
export const uniqueName = (prefix = 'inst') => `${fileTag()}-${prefix}-${randomUUID().slice(0, 8)}`;

export const validInstance = (overrides: Record<string, unknown> = {}) => ({
  name: uniqueName(),
  model_name: 'llama-3-70b',
  cluster_name: 'gpu-cluster-1',
  image_tag: 'vllm:0.6.3',
  ...overrides,
});

export async function createInstance(overrides: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/instances', validInstance(overrides));
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.body as Record<string, any> & { id: number; version: number; name: string };
}

/**
 * Polls until `fn` returns a truthy value or the timeout passes; `what` says what was awaited
 * (and whatever helps to see why it did not happen) in the failure.
 */
export async function eventually<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  stepMs = 100,
  what?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms${what ? `: ${what()}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export type HistoryRecord = Record<string, any> & {
  history_id: number;
  version: number;
  operation_type: string;
};

/**
 * The history of instance `id`, oldest first, as soon as it holds the record of `version` and of
 * every version before it. History follows the instances stream, which lags seconds under the
 * whole suite's load on 2 cores: the wait allows `timeoutMs` (60 s) but ends when they are there.
 */
export async function historyThrough(
  id: number,
  version: number,
  timeoutMs = 60_000,
): Promise<HistoryRecord[]> {
  return eventually(
    async () => {
      const res = await api('GET', `/api/instances/${id}/history?sort_order=asc&limit=1000`);
      const items = (res.status === 200 ? res.body.items : []) as HistoryRecord[];
      const versions = new Set(items.map((r) => r.version));
      for (let v = 1; v <= version; v++) if (!versions.has(v)) return undefined;
      return items;
    },
    timeoutMs,
    200,
  );
}
