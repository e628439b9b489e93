/**
 * Whole days as `<input type="date">` and the console's URLs write them (`YYYY-MM-DD`), in the
 * browser's time zone, both ends of a range inclusive.
 */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Local midnight of a `YYYY-MM-DD` day, or undefined for anything else (`2026-02-30` too). */
export function dayStart(day: string): Date | undefined {
  if (!DAY.test(day)) return undefined;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d
    ? date
    : undefined;
}

/** The last millisecond of a day (an inclusive upper bound). */
export function dayEnd(day: string): Date | undefined {
  const d = dayStart(day);
  return d && new Date(new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime() - 1);
}

/** A day as the URL and `<input type="date">` write it. */
export const dayOf = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** A range of real days with from ≤ to; a reversed range keeps `from` only. */
export function dayRange(from: unknown, to: unknown): { from?: string; to?: string } {
  const f = typeof from === 'string' && dayStart(from) ? from : undefined;
  const t = typeof to === 'string' && dayStart(to) ? to : undefined;
  if (f && t && f > t) return { from: f };
  return { ...(f ? { from: f } : {}), ...(t ? { to: t } : {}) };
}
