/**
 * Rows deleted by anyone leave the cache at once (apply-event.ts); the table keeps showing them
 * in their place, marked as leaving, for as long as their "deleted" highlight lasts
 * (lib/flash.ts), so the eye sees what went. Only within one view: after paging or a new
 * filter, nothing lingers.
 */
import { useRef } from 'react';
import type { Instance } from '../../../../../client/index.ts';
import type { FlashKind } from '../../../lib/flash.ts';

export interface ShownRow {
  instance: Instance;
  /** Deleted a moment ago: shown fading, not actionable. */
  leaving: boolean;
}

interface Seen {
  instance: Instance;
  /** Position among the rows shown. */
  index: number;
  /** When it was last in the list (a delete's event and the cache update may render apart). */
  at: number;
}

export interface Memory {
  view: string;
  /** The rows shown in this view lately. */
  seen: Map<number, Seen>;
}

/** How long a row gone from the list is remembered, waiting for its "deleted" mark. */
const REMEMBER_MS = 5_000;

/** Pure step: the rows to show now, and what to remember for the next render. */
export function withLeaving(
  memory: Memory | undefined,
  view: string,
  items: readonly Instance[],
  flashes: ReadonlyMap<number, FlashKind>,
  now = Date.now(),
): { rows: ShownRow[]; memory: Memory } {
  const prev = memory?.view === view ? memory.seen : new Map<number, Seen>();
  const present = new Set(items.map((i) => i.id));
  const rows: ShownRow[] = items.map((instance) => ({
    instance,
    leaving: flashes.get(instance.id) === 'deleted',
  }));
  const gone = [...prev.entries()]
    .filter(([id]) => !present.has(id))
    .sort((a, b) => a[1].index - b[1].index);
  const seen = new Map<number, Seen>();
  for (const [id, g] of gone) {
    if (flashes.get(id) === 'deleted') {
      rows.splice(Math.min(g.index, rows.length), 0, { instance: g.instance, leaving: true });
    } else if (now - g.at < REMEMBER_MS) {
      seen.set(id, g);
    }
  }
  rows.forEach((r, index) =>
    seen.set(r.instance.id, {
      instance: r.instance,
      index,
      at: present.has(r.instance.id) ? now : (prev.get(r.instance.id)?.at ?? now),
    }),
  );
  return { rows, memory: { view, seen } };
}

export function useLeavingRows(
  view: string,
  items: readonly Instance[],
  flashes: ReadonlyMap<number, FlashKind>,
): ShownRow[] {
  const memory = useRef<Memory | undefined>(undefined);
  const { rows, memory: next } = withLeaving(memory.current, view, items, flashes);
  memory.current = next;
  return rows;
}
