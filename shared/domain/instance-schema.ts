/**
 * The instance as the API returns it: the id, each mutable field's stored type, the bookkeeping.
 * Only the types, not the rules a request must meet (./instance.ts builds those on the same
 * names and re-exports this module): every route that answers with an instance has this schema
 * in its definition, so its Lambda bundles it, and a route that takes no instance body then
 * bundles none of the request rules. A stored value stays describable after a rule tightens.
 */
import * as z from 'zod/mini';
import {
  MUTABLE_FIELD_NAMES,
  OPTIONAL_TEXT_FIELDS,
  PRIORITIES,
  STATUSES,
  type BookkeepingField,
  type MutableFieldName,
  type OptionalTextField,
} from './fields.ts';

/** What a response holds for each mutable field. */
const STORED = {
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
  quantization: z.string(),
  vae_store_type: z.string(),
  t5_store_type: z.string(),
  status: z.enum(STATUSES),
  priority: z.enum(PRIORITIES),
  description: z.string(),
  envs: z.record(z.string(), z.string()),
} satisfies Record<MutableFieldName, z.ZodMiniType>;
type Stored = typeof STORED;

/** Fields the server owns and sets on every change, in the resource's field order. */
const BOOKKEEPING_SHAPE = {
  version: z.int(),
  created_at: z.string(),
  updated_at: z.string(),
  created_by: z.string(),
  updated_by: z.string(),
} satisfies Record<BookkeepingField, z.ZodMiniType>;

const OPTIONAL: ReadonlySet<string> = new Set(OPTIONAL_TEXT_FIELDS);

/** The instance as the API returns it: the id, the mutable fields, then the bookkeeping. */
export const instanceSchema = z.object({
  id: z.int(),
  // In MUTABLE_FIELD_NAMES order (Object.fromEntries loses the key → schema pairing, so the
  // type is written as the same mapping).
  ...(Object.fromEntries(
    MUTABLE_FIELD_NAMES.map((name) => [
      name,
      OPTIONAL.has(name) ? z.optional(STORED[name]) : STORED[name],
    ]),
  ) as {
    [K in MutableFieldName]: K extends OptionalTextField ? z.ZodMiniOptional<Stored[K]> : Stored[K];
  }),
  ...BOOKKEEPING_SHAPE,
});
export type Instance = z.output<typeof instanceSchema>;
