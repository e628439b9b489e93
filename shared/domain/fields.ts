/**
 * What is known about an instance's fields without its zod schemas: the field names, the enum
 * values, name folding and value equality. shared/domain/instance.ts builds the schemas on these
 * names and re-exports all of it; code that only needs the facts (request parsing, diffs, stored
 * images, the stream consumers) imports them from here, so a Lambda that validates no instance
 * does not bundle and build the instance schemas (every schema built at module scope is code the
 * bundler must keep).
 */
import { caseFold } from './case-fold.ts';

export const STATUSES = ['pending', 'active', 'inactive', 'error', 'terminated'] as const;
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Status = (typeof STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];

/**
 * The mutable fields, in the resource's field order. instance.ts declares each one's rules in
 * FIELDS, typed to have exactly these keys; test/unit/instance-fields.test.ts checks the order.
 */
export const MUTABLE_FIELD_NAMES = [
  'name',
  'model_name',
  'model_version',
  'cluster_name',
  'image_tag',
  'replicas',
  'pp',
  'cp',
  'tp',
  'workers',
  'task_concurrency',
  'pipeline_mode',
  'cuda_graph',
  'quantization',
  'vae_store_type',
  't5_store_type',
  'status',
  'priority',
  'description',
  'envs',
] as const;
export type MutableFieldName = (typeof MUTABLE_FIELD_NAMES)[number];

/** The fields an instance may lack (unset on create when not sent, `null` clears them). */
export const OPTIONAL_TEXT_FIELDS = [
  'quantization',
  'vae_store_type',
  't5_store_type',
  'description',
] as const satisfies readonly MutableFieldName[];
export type OptionalTextField = (typeof OPTIONAL_TEXT_FIELDS)[number];

/** Fields the server owns and sets on every change, in the resource's field order. */
export const BOOKKEEPING_FIELDS = [
  'version',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
] as const;
export type BookkeepingField = (typeof BOOKKEEPING_FIELDS)[number];

/**
 * The lists joined. Marked free of side effects because a spread at module scope is not (it
 * runs an iterator), so the bundler would keep every list below in every Lambda that reads one.
 */
// @__NO_SIDE_EFFECTS__
function joined<const T extends string>(...lists: readonly (readonly T[])[]): readonly T[] {
  return lists.flat();
}

/** Fields the server owns; a request that sends one is rejected (422, "read-only"). */
export const READ_ONLY_FIELDS = joined(['id'], BOOKKEEPING_FIELDS);

/** Every field of the instance as the API returns it: the id, the mutable fields, the bookkeeping. */
export const INSTANCE_FIELDS = joined(['id'], MUTABLE_FIELD_NAMES, BOOKKEEPING_FIELDS);
export type InstanceField = (typeof INSTANCE_FIELDS)[number];

/** A soft-dotted letter (with any other marks after it), then U+0307 COMBINING DOT ABOVE. */
const SOFT_DOTTED_DOT_ABOVE = /(\p{Soft_Dotted}(?:(?!\u0307)\p{M})*)\u0307/gu;

const ASCII = /^[\0-\x7F]*$/;

/**
 * Full case folding, with ASCII done natively: listing filters fold every examined instance's
 * name, model, cluster and description, and the package's per-character loop is ~70× slower
 * than toLowerCase, which is exact for ASCII.
 */
const foldCase = (s: string): string =>
  ASCII.test(s)
    ? s.toLowerCase()
    : s.replace(/[A-Z]+|[^\0-\x7F]+/gu, (run) =>
        run.charCodeAt(0) < 0x80 ? run.toLowerCase() : caseFold(run),
      );

/**
 * A name compared without case, for sorting, name filters and as the input of the uniqueness
 * claim (repo/items.ts adds the look-alike step). NFKC first (`ﬁ` → `fi`, fullwidth → ASCII),
 * then full Unicode case folding (CaseFolding.txt C+F, via ./case-fold.ts, a table generated from `unicode-case-folding`): JavaScript
 * has no case fold, and toLowerCase/toUpperCase miss `straße` = `STRASSE` (`ß` and `ẞ` fold to
 * `ss`) and Cherokee, whose lower case folds to upper. Full folding turns `İ` into `i` + U+0307
 * COMBINING DOT ABOVE; on a soft-dotted letter (i, j, …) that dot is the letter's own, so it is
 * dropped and `İstanbul` = `istanbul`. (Turkic folding would do that too, but it folds `I` to
 * dotless `ı` and so breaks `ISTANBUL` = `istanbul`.) NFKC once more, as folding can produce
 * text that is not normalised.
 */
export function nameKey(name: string): string {
  const folded = foldCase(name.normalize('NFKC'));
  // No composed character holds a soft-dotted letter with a dot above, so a plain search finds it.
  return folded.includes('\u0307')
    ? folded.normalize('NFD').replace(SOFT_DOTTED_DOT_ABOVE, '$1').normalize('NFKC')
    : folded.normalize('NFKC');
}

/** Deep equality of field values (envs maps by their own keys). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    // Own keys only: `b.toString` exists on every object, an envs key `toString` may not.
    return ka.every(
      (k) =>
        Object.hasOwn(b, k) &&
        sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    );
  }
  return false;
}
