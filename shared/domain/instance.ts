/**
 * The inference instance: zod schemas are the single source of truth for its types,
 * its validation and its OpenAPI document. `zod/mini` keeps Lambda bundles small
 * (see README, Performance).
 */
import * as z from 'zod/mini';
import { caseFold } from './case-fold.ts';

export const STATUSES = ['pending', 'active', 'inactive', 'error', 'terminated'] as const;
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Status = (typeof STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];

/**
 * What a text field may contain. Every text field refuses C0/C1 control characters and unpaired
 * surrogates: they are invisible, break terminals, logs and CSV, and a lone surrogate cannot even
 * be encoded as UTF-8 (DynamoDB and every client would have to mangle it). `multiline` fields
 * (description, envs values) keep tab and line feed. `identifier` fields (name, model, cluster,
 * image tag, model version) also refuse what renders as nothing or reorders what is around it:
 * format characters (Cf: zero-width space/joiners, soft hyphen, bidi overrides such as U+202E),
 * other default-ignorable code points (e.g. the Hangul filler U+3164), variation selectors, tag
 * characters and line/paragraph separators, so two names that look the same are the same text.
 */
export type TextKind = 'identifier' | 'line' | 'multiline';

const LONE_SURROGATE = /\p{Cs}/u; // with the `u` flag only an unpaired surrogate matches
const CONTROL = /\p{Cc}/u;
const MULTILINE_CONTROL = /[\t\n]/;
const INVISIBLE =
  /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Variation_Selector}\p{Zl}\p{Zp}\u{E0000}-\u{E007F}]/u;

const codePoint = (ch: string) =>
  `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `s` is not acceptable text of this kind (naming the first offending character), if it is not. */
export function textProblem(s: string, kind: TextKind): string | undefined {
  for (const ch of s) {
    if (LONE_SURROGATE.test(ch))
      return `must not contain unpaired surrogates (found ${codePoint(ch)})`;
    if (CONTROL.test(ch) && !(kind === 'multiline' && MULTILINE_CONTROL.test(ch)))
      return `must not contain control characters (found ${codePoint(ch)})`;
    if (kind === 'identifier' && INVISIBLE.test(ch))
      return `must not contain invisible, formatting or bidirectional control characters (found ${codePoint(ch)})`;
  }
  return undefined;
}

/** The zod check for `textProblem` (a `custom` issue whose message names the character). */
const textRules = (kind: TextKind) =>
  z.superRefine((s: string | undefined, ctx) => {
    const problem = s === undefined ? undefined : textProblem(s, kind);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s });
  });

/** Trimmed string; empty after trim counts as missing (so a required field reports "required"). */
const text = (max: number, kind: TextKind, min = 1) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((s) => {
        const t = s.trim();
        return t === '' ? undefined : t;
      }),
    ),
    z.string().check(textRules(kind), z.minLength(min), z.maxLength(max)),
  );

/** Optional trimmed string: empty after trim is treated as not sent. */
const optionalText = (max: number, kind: TextKind) =>
  z
    .pipe(
      z.string(),
      z.transform((s) => {
        const t = s.trim();
        return t === '' ? undefined : t;
      }),
    )
    .check(
      textRules(kind),
      z.refine((s) => s === undefined || s.length <= max, { message: `at most ${max} characters` }),
    );

const intRange = (min: number, max: number) => z.int().check(z.gte(min), z.lte(max));

export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const envsSchema = z
  .record(
    z.string().check(z.maxLength(128), z.regex(ENV_KEY, 'must match ^[A-Za-z_][A-Za-z0-9_]*$')),
    // Values may span lines (a certificate, a JSON document), so tab and line feed are kept.
    z.string().check(z.maxLength(4096), textRules('multiline')),
  )
  .check(z.refine((r) => Object.keys(r).length <= 100, { message: 'at most 100 entries' }));

// ---------------------------------------------------------------------------------------------
// The field table: each instance field is declared once, here. The create, update and response
// schemas, their types and the field lists other modules read (mutable, optional, read-only,
// defaults) are all derived from it, so a new field is one entry in FIELDS.

/**
 * One mutable field. `rule` is what a request may send (trimming and the rules of SPEC §3).
 * `stored` is what a response holds, the type alone: a stored value stays describable after a
 * rule tightens. `default` is what create gives the field when it is not sent; an `optional`
 * field is left unset instead, and `null` clears it on update.
 */
interface Field {
  readonly rule: z.ZodMiniType;
  readonly stored: z.ZodMiniType;
  readonly default?: unknown;
  readonly optional?: true;
}

const textField = (max: number, kind: TextKind) => ({ rule: text(max, kind), stored: z.string() });

const optionalTextField = (max: number, kind: TextKind) => ({
  rule: optionalText(max, kind),
  stored: z.string(),
  optional: true as const,
});

const intField = (min: number, max: number) => ({ rule: intRange(min, max), stored: z.int() });

const boolField = () => ({ rule: z.boolean(), stored: z.boolean() });

const enumField = <const T extends readonly [string, ...string[]]>(values: T) => ({
  rule: z.enum(values),
  stored: z.enum(values),
});

/** `field`, given `value` by create when it is not sent. */
const withDefault = <F extends Field, const V extends z.output<F['rule']>>(field: F, value: V) => ({
  ...field,
  default: value,
});

/** The mutable fields, in the resource's field order. */
const FIELDS = {
  name: textField(255, 'identifier'),
  model_name: textField(255, 'identifier'),
  model_version: withDefault(textField(50, 'identifier'), 'latest'),
  cluster_name: textField(255, 'identifier'),
  image_tag: textField(255, 'identifier'),
  replicas: withDefault(intField(1, 100), 1),
  pp: withDefault(intField(1, 16), 1),
  cp: withDefault(intField(1, 64), 8),
  tp: withDefault(intField(1, 16), 1),
  workers: withDefault(intField(1, 1024), 1),
  task_concurrency: withDefault(intField(1, 1024), 1),
  pipeline_mode: withDefault(boolField(), false),
  cuda_graph: withDefault(boolField(), false),
  quantization: optionalTextField(50, 'line'),
  vae_store_type: optionalTextField(50, 'line'),
  t5_store_type: optionalTextField(50, 'line'),
  status: withDefault(enumField(STATUSES), 'active'),
  priority: withDefault(enumField(PRIORITIES), 'medium'),
  description: optionalTextField(2000, 'multiline'),
  envs: withDefault({ rule: envsSchema, stored: z.record(z.string(), z.string()) }, {}),
} satisfies Record<string, Field>;

/** Fields the server owns and sets on every change, in the resource's field order. */
const BOOKKEEPING_SHAPE = {
  version: z.int(),
  created_at: z.string(),
  updated_at: z.string(),
  created_by: z.string(),
  updated_by: z.string(),
};

type Fields = typeof FIELDS;
type FieldName = keyof Fields;
type OptionalName = {
  [K in FieldName]: Fields[K] extends { optional: true } ? K : never;
}[FieldName];
type DefaultOf<K extends FieldName> = Fields[K] extends { default: infer V } ? V : never;
type DefaultedName = { [K in FieldName]: DefaultOf<K> extends never ? never : K }[FieldName];
type Rule<K extends FieldName> = Fields[K]['rule'];
type Stored<K extends FieldName> = Fields[K]['stored'];

const ENTRIES = Object.entries(FIELDS) as [FieldName, Field][];

/**
 * One schema per field, made by `schemaOf`. Object.fromEntries loses the key → schema pairing,
 * so the caller names the shape's type, written as the same mapping at the type level.
 */
const shapeOf = <Shape>(schemaOf: (field: Field) => z.ZodMiniType): Shape =>
  Object.fromEntries(ENTRIES.map(([name, field]) => [name, schemaOf(field)])) as Shape;

/** The fields a request may set. */
export const MUTABLE_FIELDS = ENTRIES.map(([name]) => name);

/** The fields an instance may lack (unset on create when not sent, `null` clears them). */
export const OPTIONAL_TEXT_FIELDS: readonly OptionalName[] = ENTRIES.filter(
  ([, field]) => field.optional,
).map(([name]) => name as OptionalName);
export type OptionalTextField = OptionalName;

/** What create gives the fields that have a default when they are not sent. */
export const DEFAULTS = Object.fromEntries(
  ENTRIES.filter(([, field]) => 'default' in field).map(([name, field]) => [name, field.default]),
) as { readonly [K in DefaultedName]: DefaultOf<K> };

/** Bookkeeping fields left out of history diffs. */
export const BOOKKEEPING_FIELDS: readonly string[] = Object.keys(BOOKKEEPING_SHAPE);

/** Fields the server owns; a request that sends one is rejected (422, "read-only"). */
export const READ_ONLY_FIELDS = ['id', ...Object.keys(BOOKKEEPING_SHAPE)] as readonly (
  'id' | keyof typeof BOOKKEEPING_SHAPE
)[];

/** Create: required fields must be sent, the others get their default or stay unset. */
export const createInstanceSchema = z.strictObject(
  shapeOf<{
    [K in FieldName]: K extends OptionalName
      ? z.ZodMiniOptional<Rule<K>>
      : K extends DefaultedName
        ? z.ZodMiniDefault<Rule<K>>
        : Rule<K>;
  }>((f) =>
    f.optional ? z.optional(f.rule) : 'default' in f ? z._default(f.rule, f.default) : f.rule,
  ),
);
export type CreateInstanceInput = z.output<typeof createInstanceSchema>;

/**
 * Partial update (PUT and PATCH alike): only the fields sent change. `null` clears an
 * optional field; required fields cannot be cleared.
 */
export const updateInstanceSchema = z.partial(
  z.strictObject(
    shapeOf<{ [K in FieldName]: K extends OptionalName ? z.ZodMiniNullable<Rule<K>> : Rule<K> }>(
      (f) => (f.optional ? z.nullable(f.rule) : f.rule),
    ),
  ),
);
export type UpdateInstanceInput = z.output<typeof updateInstanceSchema>;

/** The instance as the API returns it: the id, the mutable fields, then the bookkeeping. */
export const instanceSchema = z.object({
  id: z.int(),
  ...shapeOf<{
    [K in FieldName]: K extends OptionalName ? z.ZodMiniOptional<Stored<K>> : Stored<K>;
  }>((f) => (f.optional ? z.optional(f.stored) : f.stored)),
  ...BOOKKEEPING_SHAPE,
});
export type Instance = z.output<typeof instanceSchema>;

export const INSTANCE_FIELDS = Object.keys(instanceSchema.def.shape) as (keyof Instance)[];

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
