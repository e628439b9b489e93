/**
 * The soak's writers: each owns a few instances (so it always knows their versions and can
 * send If-Match) and also writes one instance shared by all of them (so If-Match races are
 * real). Operations: create, blind and If-Match PATCH, delete (If-Match, so the tombstone's
 * version is known), restore (of a deleted instance or to an earlier record) and copy.
 * A write counts as acknowledged only when its 2xx response arrived; one that failed or got no
 * answer may or may not have committed, so the instance is read again before its next write.
 */
import { ApiError, InstancesClient, type Instance } from '../../../client/index.ts';
import type { Recorder } from './recorder.ts';

interface Slot {
  id: number;
  /** undefined: unknown (the last write failed); read it before writing again. */
  version: number | undefined;
  deleted: boolean;
}

export interface WriterOptions {
  baseUrl: string;
  recorder: Recorder;
  /** Keeps writing while this returns true. */
  running: () => boolean;
  writers?: number;
  slotsPerWriter?: number;
  /** Pause between one writer's operations: paces the load (see soak.ts for why). */
  pauseMs?: number;
  /** Unique per run: instance names must not collide across phases of one data folder. */
  tag: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function soakClient(baseUrl: string, recorder: Recorder): InstancesClient {
  return new InstancesClient({
    baseUrl,
    fetch: recorder.fetch,
    // Ride out a restart (the port comes back within ~20 s) without giving up the write.
    retry: { retries: 8, baseDelayMs: 250, maxDelayMs: 3000 },
    timeoutMs: 20_000,
  });
}

/** Runs the writers until `running()` is false; resolves when all have stopped. */
export async function runWriters(opts: WriterOptions): Promise<void> {
  const client = soakClient(opts.baseUrl, opts.recorder);
  const shared = await client.createInstance(body(opts.tag, 'shared', 0));
  opts.recorder.ack(shared.id, 1, 'create', Date.now());
  const writers = Array.from({ length: opts.writers ?? 4 }, (_, w) =>
    writer(client, opts, w, shared.id),
  );
  await Promise.all(writers);
}

function body(tag: string, who: string, n: number) {
  return {
    name: `soak-${tag}-${who}-${n}`,
    model_name: `m-${n % 3}`,
    cluster_name: `c-${n % 2}`,
    image_tag: 't',
  };
}

async function writer(client: InstancesClient, opts: WriterOptions, w: number, sharedId: number) {
  const rec = opts.recorder;
  const slots: (Slot | undefined)[] = Array.from({ length: opts.slotsPerWriter ?? 3 });
  // undefined after a failed write: the next one is blind, and its answer gives the version.
  let sharedVersion: number | undefined = 1;
  for (let op = 1; opts.running(); op++) {
    const s = op % slots.length;
    const slot = slots[s];
    const started = Date.now();
    const acked = (i: Instance, kind: string) => rec.ack(i.id, i.version, kind, started);
    try {
      if (op % 5 === 0) {
        // The shared instance: If-Match with what this writer saw last, or blind.
        const patch = { replicas: (op % 50) + 1 };
        const blind: boolean = op % 10 === 0 || sharedVersion === undefined;
        const i: Instance = blind
          ? await client.patchInstance(sharedId, patch)
          : await client.updateIfMatch(sharedId, sharedVersion!, patch);
        sharedVersion = i.version;
        acked(i, blind ? 'patch' : 'patch-if-match');
      } else if (!slot) {
        const i = await client.createInstance(body(opts.tag, `w${w}`, op));
        slots[s] = { id: i.id, version: i.version, deleted: false };
        acked(i, 'create');
      } else if (slot.version === undefined && !slot.deleted) {
        await resync(client, slot);
      } else if (slot.deleted) {
        // Re-create it from its last live record (the restore re-creates under the same id).
        const page = await client.listHistory(slot.id, { limit: 5, sort_order: 'desc' });
        const source = page.items.find((h) => h.operation_type !== 'delete');
        if (!source) continue; // its history is not written yet: try again on a later turn
        const i = await client.restoreInstance(slot.id, source.history_id);
        Object.assign(slot, { version: i.version, deleted: false });
        acked(i, 'restore');
      } else if (op % 13 === 0) {
        await client.deleteInstance(slot.id, { ifMatch: slot.version });
        rec.ack(slot.id, slot.version! + 1, 'delete', started);
        Object.assign(slot, { version: slot.version! + 1, deleted: true });
      } else if (op % 17 === 0) {
        const first = (await client.listHistory(slot.id, { limit: 1, sort_order: 'asc' })).items[0];
        if (!first) continue;
        const i = await client.restoreInstance(slot.id, first.history_id, {
          ifMatch: slot.version!,
        });
        slot.version = i.version;
        acked(i, 'restore');
      } else if (op % 19 === 0) {
        acked(await client.copyInstance(slot.id, {}), 'copy');
      } else {
        const patch = { replicas: (op % 90) + 1, status: op % 3 ? 'active' : 'pending' } as const;
        const i =
          op % 2
            ? await client.updateIfMatch(slot.id, slot.version!, patch)
            : await client.patchInstance(slot.id, patch);
        slot.version = i.version;
        acked(i, op % 2 ? 'patch-if-match' : 'patch');
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) rec.conflicts++;
      // Whatever happened, the next write to it starts from a fresh read.
      if (op % 5 === 0) sharedVersion = undefined;
      else if (slot && !slot.deleted) slot.version = undefined;
    }
    await sleep(opts.pauseMs ?? 150);
  }
}

async function resync(client: InstancesClient, slot: Slot): Promise<void> {
  try {
    slot.version = (await client.getInstance(slot.id)).version;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 410)) slot.deleted = true;
    else throw err;
  }
}
