/**
 * Reads the shape of a zod/mini schema: which schema sits at a field path, whether a query
 * parameter is a list, and the numeric rule of a number field. Error messages and query
 * normalisation use it so they follow the schemas instead of repeating their rules.
 */
import type * as z from 'zod/mini';

type Schema = z.ZodMiniType;
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  valueType?: Schema;
  format?: string;
  checks?: { _zod: { def: { check: string; value?: unknown; inclusive?: boolean } } }[];
}

const defOf = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch']);

/**
 * The schema under wrappers (optional, default, …) and pipes. A pipe is followed to its
 * output side when that ends in a type (a query parameter's string → number), else to its
 * input side (a transform ends the pipe).
 */
function unwrap(s: Schema): Schema {
  for (let cur = s; ;) {
    const d = defOf(cur);
    if (WRAPPERS.has(d.type) && d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in && d.out)
      cur = defOf(d.out).type === 'transform' ? d.in : d.out;
    else return cur;
  }
}

/** The object shape of a schema (for a strictObject query schema), or undefined. */
export function shapeOf(s: Schema): Record<string, Schema> | undefined {
  const d = defOf(unwrap(s));
  return d.type === 'object' ? d.shape : undefined;
}

/** The schema at `path` (object keys, array indexes, record values), or undefined. */
export function schemaAt(s: Schema, path: readonly PropertyKey[]): Schema | undefined {
  let cur: Schema | undefined = s;
  for (const key of path) {
    if (!cur) return undefined;
    const d = defOf(unwrap(cur));
    if (d.type === 'object') {
      cur =
        d.shape && Object.hasOwn(d.shape, key) ? d.shape[key as string] : (d.catchall ?? undefined);
    } else if (d.type === 'array') cur = d.element;
    else if (d.type === 'record') cur = d.valueType;
    else return undefined;
  }
  return cur;
}

/** True when the parameter parses into a list (`status`, `instance_ids`, …). */
export const isListSchema = (s: Schema): boolean => defOf(unwrap(s)).type === 'array';

export interface NumberRule {
  integer: boolean;
  min: number | undefined;
  max: number | undefined;
}

/**
 * The bounds a number schema enforces: its `gte`/`lte` checks, and for `z.int()` the safe
 * integer range (which is the real upper bound of an integer field without `lte`).
 */
export function numberRuleOf(s: Schema): NumberRule | undefined {
  const d = defOf(unwrap(s));
  if (d.type !== 'number') return undefined;
  const integer = d.format !== undefined && /int/.test(d.format);
  let min = integer ? Number.MIN_SAFE_INTEGER : undefined;
  let max = integer ? Number.MAX_SAFE_INTEGER : undefined;
  for (const c of d.checks ?? []) {
    const { check, value, inclusive } = c._zod.def;
    if (typeof value !== 'number') continue;
    // An exclusive bound of an integer is the next integer in; of a number, kept as is.
    const step = inclusive === false && integer ? 1 : 0;
    if (check === 'greater_than') min = Math.max(min ?? -Infinity, value + step);
    if (check === 'less_than') max = Math.min(max ?? Infinity, value - step);
  }
  return { integer, min, max };
}
