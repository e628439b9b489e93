/**
 * The inference instance: zod schemas are the single source of truth for its types,
 * its validation and (later) its OpenAPI document. `zod/mini` keeps Lambda bundles small
 * (see README, Performance).
 */
import * as z from 'zod/mini';
import { caseFold } from 'unicode-case-folding';

export const STATUSES = ['pending', 'active', 'inactive', 'error', 'terminated'] as const;
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Status = (typeof STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];

/** Fields the server owns; a request that sends one is rejected (422, "read-only"). */
export const READ_ONLY_FIELDS = [
  'id',
  'version',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
] as const;

/** Bookkeeping fields left out of history diffs. */
export const BOOKKEEPING_FIELDS: readonly string[] = [
  'version',
  'updated_at',
  'updated_by',
  'created_at',
  'created_by',
];

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

/** Mutable fields, with the rules of SPEC §3 and without defaults. */
const fields = {
  name: text(255, 'identifier'),
  model_name: text(255, 'identifier'),
  model_version: text(50, 'identifier'),
  cluster_name: text(255, 'identifier'),
  image_tag: text(255, 'identifier'),
  replicas: intRange(1, 100),
  pp: intRange(1, 16),
  cp: intRange(1, 64),
  tp: intRange(1, 16),
  workers: intRange(1, 1024),
  task_concurrency: intRange(1, 1024),
  pipeline_mode: z.boolean(),
  cuda_graph: z.boolean(),
  quantization: optionalText(50, 'line'),
  vae_store_type: optionalText(50, 'line'),
  t5_store_type: optionalText(50, 'line'),
  status: z.enum(STATUSES),
  priority: z.enum(PRIORITIES),
  description: optionalText(2000, 'multiline'),
  envs: envsSchema,
};

export const OPTIONAL_TEXT_FIELDS = [
  'quantization',
  'vae_store_type',
  't5_store_type',
  'description',
] as const;
export type OptionalTextField = (typeof OPTIONAL_TEXT_FIELDS)[number];

export const MUTABLE_FIELDS = Object.keys(fields) as (keyof typeof fields)[];

export const DEFAULTS = {
  model_version: 'latest',
  replicas: 1,
  pp: 1,
  cp: 8,
  tp: 1,
  workers: 1,
  task_concurrency: 1,
  pipeline_mode: false,
  cuda_graph: false,
  status: 'active',
  priority: 'medium',
  envs: {},
} as const;

export const createInstanceSchema = z.strictObject({
  name: fields.name,
  model_name: fields.model_name,
  model_version: z._default(fields.model_version, DEFAULTS.model_version),
  cluster_name: fields.cluster_name,
  image_tag: fields.image_tag,
  replicas: z._default(fields.replicas, DEFAULTS.replicas),
  pp: z._default(fields.pp, DEFAULTS.pp),
  cp: z._default(fields.cp, DEFAULTS.cp),
  tp: z._default(fields.tp, DEFAULTS.tp),
  workers: z._default(fields.workers, DEFAULTS.workers),
  task_concurrency: z._default(fields.task_concurrency, DEFAULTS.task_concurrency),
  pipeline_mode: z._default(fields.pipeline_mode, DEFAULTS.pipeline_mode),
  cuda_graph: z._default(fields.cuda_graph, DEFAULTS.cuda_graph),
  quantization: z.optional(fields.quantization),
  vae_store_type: z.optional(fields.vae_store_type),
  t5_store_type: z.optional(fields.t5_store_type),
  status: z._default(fields.status, DEFAULTS.status),
  priority: z._default(fields.priority, DEFAULTS.priority),
  description: z.optional(fields.description),
  envs: z._default(fields.envs, () => ({})),
});
export type CreateInstanceInput = z.output<typeof createInstanceSchema>;

/**
 * Partial update (PUT and PATCH alike): only the fields sent change. `null` clears an
 * optional text field; required fields cannot be cleared.
 */
export const updateInstanceSchema = z.strictObject({
  name: z.optional(fields.name),
  model_name: z.optional(fields.model_name),
  model_version: z.optional(fields.model_version),
  cluster_name: z.optional(fields.cluster_name),
  image_tag: z.optional(fields.image_tag),
  replicas: z.optional(fields.replicas),
  pp: z.optional(fields.pp),
  cp: z.optional(fields.cp),
  tp: z.optional(fields.tp),
  workers: z.optional(fields.workers),
  task_concurrency: z.optional(fields.task_concurrency),
  pipeline_mode: z.optional(fields.pipeline_mode),
  cuda_graph: z.optional(fields.cuda_graph),
  quantization: z.optional(z.nullable(fields.quantization)),
  vae_store_type: z.optional(z.nullable(fields.vae_store_type)),
  t5_store_type: z.optional(z.nullable(fields.t5_store_type)),
  status: z.optional(fields.status),
  priority: z.optional(fields.priority),
  description: z.optional(z.nullable(fields.description)),
  envs: z.optional(fields.envs),
});
export type UpdateInstanceInput = z.output<typeof updateInstanceSchema>;

/** The instance as the API returns it. */
export const instanceSchema = z.object({
  id: z.int(),
  name: z.string(),
  model_name: z.string(),
  model_version: z.string(),
  cluster_name: z.string(),
  image_tag: z.string(),
  replicas: z.int(),
  pp: z.int(),
  cp: z.int(),
  tp: z.int(),
  workers: z.int(),
  task_concurrency: z.int(),
  pipeline_mode: z.boolean(),
  cuda_graph: z.boolean(),
  quantization: z.optional(z.string()),
  vae_store_type: z.optional(z.string()),
  t5_store_type: z.optional(z.string()),
  status: z.enum(STATUSES),
  priority: z.enum(PRIORITIES),
  description: z.optional(z.string()),
  envs: z.record(z.string(), z.string()),
  version: z.int(),
  created_at: z.string(),
  updated_at: z.string(),
  created_by: z.string(),
  updated_by: z.string(),
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
 * then full Unicode case folding (CaseFolding.txt C+F, via `unicode-case-folding`): JavaScript
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

/** Fields of `next` that differ from `prev` (deep for envs), bookkeeping excluded. */
export function changedFields(prev: Partial<Instance>, next: Partial<Instance>): string[] {
  const keys = new Set([...Object.keys(prev), ...Object.keys(next)]);
  const out: string[] = [];
  for (const k of keys) {
    if (BOOKKEEPING_FIELDS.includes(k) || k === 'id') continue;
    if (!sameValue(prev[k as keyof Instance], next[k as keyof Instance])) out.push(k);
  }
  return out.sort();
}

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
