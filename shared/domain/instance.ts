/**
 * The inference instance: zod schemas are the single source of truth for its types,
 * its validation and (later) its OpenAPI document. `zod/mini` keeps Lambda bundles small
 * (see README, Performance).
 */
import * as z from 'zod/mini';

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

/** Trimmed string; empty after trim counts as missing (so a required field reports "required"). */
const text = (max: number, min = 1) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((s) => {
        const t = s.trim();
        return t === '' ? undefined : t;
      }),
    ),
    z.string().check(z.minLength(min), z.maxLength(max)),
  );

/** Optional trimmed string: empty after trim is treated as not sent. */
const optionalText = (max: number) =>
  z
    .pipe(
      z.string(),
      z.transform((s) => {
        const t = s.trim();
        return t === '' ? undefined : t;
      }),
    )
    .check(
      z.refine((s) => s === undefined || s.length <= max, { message: `at most ${max} characters` }),
    );

const intRange = (min: number, max: number) => z.int().check(z.gte(min), z.lte(max));

export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const envsSchema = z
  .record(
    z.string().check(z.maxLength(128), z.regex(ENV_KEY, 'must match ^[A-Za-z_][A-Za-z0-9_]*$')),
    z.string().check(z.maxLength(4096)),
  )
  .check(z.refine((r) => Object.keys(r).length <= 100, { message: 'at most 100 entries' }));

/** Mutable fields, with the rules of SPEC §3 and without defaults. */
const fields = {
  name: text(255),
  model_name: text(255),
  model_version: text(50),
  cluster_name: text(255),
  image_tag: text(255),
  replicas: intRange(1, 100),
  pp: intRange(1, 16),
  cp: intRange(1, 64),
  tp: intRange(1, 16),
  workers: intRange(1, 1024),
  task_concurrency: intRange(1, 1024),
  pipeline_mode: z.boolean(),
  cuda_graph: z.boolean(),
  quantization: optionalText(50),
  vae_store_type: optionalText(50),
  t5_store_type: optionalText(50),
  status: z.enum(STATUSES),
  priority: z.enum(PRIORITIES),
  description: optionalText(2000),
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

/** Normalised form of a name for the case-insensitive uniqueness claim and sorting. */
export const nameKey = (name: string): string => name.normalize('NFKC').toLowerCase();

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
