/**
 * DynamoDB item size, per the published rules (approximate for numbers): attribute names count,
 * strings and binaries by their bytes, a number by ~1 byte per two significant digits plus 1,
 * booleans and null 1 byte, lists and maps 3 bytes plus 1 per element and their contents.
 * Used to price transactional writes the way AWS does (DynamoDB Local does not; see capacity.ts).
 */
export function valueSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number' || typeof v === 'bigint') {
    const digits = String(v)
      .replace(/^-/, '')
      .replace(/e.*$/i, '')
      .replace('.', '')
      .replace(/^0+/, '')
      .replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof Set) return [...v].reduce<number>((n, e) => n + valueSize(e), 0);
  if (Array.isArray(v)) return 3 + v.reduce<number>((n, e) => n + 1 + valueSize(e), 0);
  if (typeof v === 'object') {
    return (
      3 +
      Object.entries(v).reduce(
        (n, [k, e]) => n + (e === undefined ? 0 : Buffer.byteLength(k) + 1 + valueSize(e)),
        0,
      )
    );
  }
  return 0;
}

/** Size of a document-client item (native values), as DynamoDB bills it. */
export function itemSize(item: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) {
    if (v !== undefined) n += Buffer.byteLength(k) + valueSize(v);
  }
  return n;
}

/** Write units of one standard write of an item of `bytes` (1 KB granularity). */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
