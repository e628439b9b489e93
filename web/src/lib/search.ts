/**
 * The URL is the state of a view. Search params are written flat and readable
 * (`?status=active,pending&sort=name&order=asc&page=2`), not as JSON; each route's
 * `validateSearch` turns these strings into typed values and drops what it does not know.
 */
export type RawSearch = Record<string, unknown>;

export function parseSearch(searchStr: string): RawSearch {
  const out: RawSearch = {};
  for (const [k, v] of new URLSearchParams(searchStr)) out[k] = v;
  return out;
}

export function stringifySearch(search: RawSearch): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(search)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) params.set(k, v.map(String).join(','));
    } else params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * A route's validated search, ready for TanStack Router. The router hands a route
 * `{ ...parentSearch, ...validated }`, and the root route's search is the raw URL: a key the
 * validator merely left out would keep its raw string (`?status=bogus` reached Mantine's
 * MultiSelect as a string; `?limit=5000` reached the API). So a key the route knows whose value
 * was rejected comes back as an explicit `undefined`, which overrides the raw value (the view
 * falls back to its default for that key, the good keys stay); a key absent from the URL stays
 * absent (undefined keys would otherwise show up in equality checks).
 */
export function validated<T extends object>(raw: RawSearch, out: T): T {
  return Object.fromEntries(
    Object.entries(out).filter(([k, v]) => v !== undefined || k in raw),
  ) as T;
}

export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : undefined;

export function int(v: unknown, min: number, max: number): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A comma list (or array) filtered to the allowed values, in their canonical order. */
export function list<T extends string>(v: unknown, allowed: readonly T[]): T[] | undefined {
  const parts = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : [];
  const set = new Set(parts.map((p) => p.trim()));
  const out = allowed.filter((a) => set.has(a));
  return out.length ? out : undefined;
}

export function oneOf<T extends string>(v: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === v);
}
