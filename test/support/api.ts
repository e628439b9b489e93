/** Minimal HTTP helper for integration tests against the local stack. */
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export const stack = () => inject('stack');

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

/** A name no other test (or run) uses. */
export const uniqueName = (prefix = 'inst') => `${prefix}-${randomUUID().slice(0, 8)}`;

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

/** Polls until `fn` returns a truthy value or the timeout passes. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  stepMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
