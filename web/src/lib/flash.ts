/**
 * Which rows changed a moment ago (UI state, not server state): a row is highlighted for a
 * couple of seconds after a live event touched it.
 */
import { useSyncExternalStore } from 'react';

export type FlashKind = 'created' | 'updated' | 'deleted';
const FLASH_MS = 2500;
let flashes = new Map<number, FlashKind>();
const listeners = new Set<() => void>();

const emit = () => listeners.forEach((l) => l());

export function flash(id: number, kind: FlashKind): void {
  flashes = new Map(flashes).set(id, kind);
  emit();
  setTimeout(() => {
    if (!flashes.has(id)) return;
    flashes = new Map(flashes);
    flashes.delete(id);
    emit();
  }, FLASH_MS);
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export const useFlashes = () => useSyncExternalStore(subscribe, () => flashes);
