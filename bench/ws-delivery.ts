/**
 * Write → WebSocket delivery on the local stack: a real `ws` client subscribed to one
 * instance, a PATCH over real HTTP, and the time until the matching `instance.updated`
 * message arrives (instances stream → history writer → history stream → broadcaster →
 * Management API → socket).
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createBody } from './fixtures.ts';
import { percentile, round, sleep } from './stats.ts';

export interface WsDeliveryResult {
  samples: number;
  p50_ms: number;
  p99_ms: number;
  all_ms: number[];
}

async function http(
  url: string,
  method: string,
  body: unknown,
): Promise<{ id: number; version: number }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as { id: number; version: number };
}

export async function measureWsDelivery(
  stack: { url: string; wsUrl: string },
  samples: number,
): Promise<WsDeliveryResult> {
  const inst = await http(
    `${stack.url}/api/instances`,
    'POST',
    createBody(1_000_000 + samples, 'ws'),
  );
  const socket = new WebSocket(`${stack.wsUrl}?instance_id=${inst.id}`);
  const arrived = new Map<number, number>();
  const waiters = new Map<number, () => void>();
  socket.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { type?: string; version?: number };
    if (msg.type !== 'instance.updated' || msg.version === undefined) return;
    arrived.set(msg.version, performance.now());
    waiters.get(msg.version)?.();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  try {
    const all: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const { version } = await http(`${stack.url}/api/instances/${inst.id}`, 'PATCH', {
        replicas: 3 + (i % 5),
      });
      if (!arrived.has(version)) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no instance.updated for version ${version} within 10 s`)),
            10_000,
          );
          waiters.set(version, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      all.push(arrived.get(version)! - t0);
      // Writes a little apart, like users, not a burst the poller would batch.
      await sleep(50);
    }
    return {
      samples: all.length,
      p50_ms: round(percentile(all, 50)),
      p99_ms: round(percentile(all, 99)),
      all_ms: all.map((v) => round(v, 1)),
    };
  } finally {
    socket.close();
  }
}
