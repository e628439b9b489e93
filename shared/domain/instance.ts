/**
 * The inference instance: zod schemas are the single source of truth for its types,
 * its validation and its OpenAPI document, built on the field names and enum values of
 * ./fields.ts. `zod/mini` keeps Lambda bundles small (see README, Performance).
 */
import * as z from 'zod/mini';
import { PRIORITIES, STATUSES, type MutableFieldName } from './fields.ts';
import { textProblem, type TextKind } from './text.ts';
import { OPTIONAL_TEXT_FIELDS, type OptionalTextField } from './fields.ts';

// The zod-free facts (./fields.ts), here too for code that imports the instance from one place.
export {
  BOOKKEEPING_FIELDS,
  INSTANCE_FIELDS,
  MUTABLE_FIELD_NAMES,
  OPTIONAL_TEXT_FIELDS,
  PRIORITIES,
  READ_ONLY_FIELDS,
  STATUSES,
  nameKey,
  sameValue,
  type BookkeepingField,
  type InstanceField,
  type MutableFieldName,
  type OptionalTextField,
  type Priority,
  type Status,
} from './fields.ts';
// The instance as returned, built from the stored types alone (./instance-schema.ts).
export { instanceSchema, type Instance } from './instance-schema.ts';

/** The zod check for `textProblem` (a `custom` issue whose message names the character). */
const textRules = (kind: TextKind) =>
  z.superRefine((s: string | undefined, ctx) => {
    const problem = s === undefined ? undefined : textProblem(s, kind);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s });
  });

/**
 * The first step of every text field: trimmed, and empty after trim counts as missing (`text`
 * then reports "required", `optionalText` takes it as not sent). The checked side after it
 * carries the length rules, which the OpenAPI document states (shared/openapi/json-schema.ts).
 */
const trim = () =>
  z.pipe(
    z.string(),
    z.transform((s) => {
      const t = s.trim();
      return t === '' ? undefined : t;
    }),
  );

/** The checked side; `minLength` only where blank is an error (the document would say so). */
const checkedText = (max: number, kind: TextKind, required = true) =>
  z.string().check(textRules(kind), ...(required ? [z.minLength(1)] : []), z.maxLength(max));

/** Trimmed string; empty after trim counts as missing (so a required field reports "required"). */
const text = (max: number, kind: TextKind) => z.pipe(trim(), checkedText(max, kind));

/** Optional trimmed string: empty after trim is treated as not sent. */
const optionalText = (max: number, kind: TextKind) =>
  z.pipe(trim(), z.optional(checkedText(max, kind, false)));

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
// The field table: each instance field's request rules are declared once, here, under the names
// of ./fields.ts; its stored type (what a response holds) is in ./instance-schema.ts, which also
// says which fields are optional. The create and update schemas, their types and the default
// list are derived from this table.

/**
 * One mutable field. `rule` is what a request may send (trimming and the rules of SPEC §3).
 * `default` is what create gives the field when it is not sent; an optional field
 * (OPTIONAL_TEXT_FIELDS) is left unset instead, and `null` clears it on update.
 */
interface Field {
  readonly rule: z.ZodMiniType;
  readonly default?: unknown;
  /** Marks an optional text field, which OPTIONAL_TEXT_FIELDS must list (checked below). */
  readonly optional?: true;
  /** A text field with a default whose blank value counts as not sent: create gives the default. */
  readonly blankIsDefault?: true;
}

const textField = (max: number, kind: TextKind) => ({ rule: text(max, kind) });

const optionalTextField = (max: number, kind: TextKind) => ({
  rule: optionalText(max, kind),
  optional: true as const,
});

const intField = (min: number, max: number) => ({ rule: intRange(min, max) });

const boolField = () => ({ rule: z.boolean() });

const enumField = <const T extends readonly [string, ...string[]]>(values: T) => ({
  rule: z.enum(values),
});

/** `field`, given `value` by create when it is not sent. */
const withDefault = <F extends Field, const V extends z.output<F['rule']>>(field: F, value: V) => ({
  ...field,
  default: value,
});

/**
 * A name is a path segment of `GET /api/instances/by-name/{name}`, and URL parsers resolve `.`
 * and `..` (`%2e%2e` too) as dot segments before a request leaves the client: such an instance
 * could never be looked up by name.
 */
const DOT_SEGMENT = z.refine<string>((s) => s !== '.' && s !== '..', {
  message: 'cannot be "." or ".." (a URL path resolves them, so the name could not be looked up)',
});

/** A name once trimmed. */
const NAME = checkedText(255, 'identifier').check(DOT_SEGMENT);

/** A name that may be left out: blank counts as not sent (a copy's name, SPEC §3 and §4). */
export const optionalNameSchema = z.pipe(trim(), z.optional(NAME));

/** The mutable fields, in the resource's field order. */
const FIELDS = {
  name: { rule: z.pipe(trim(), NAME) },
  model_name: textField(255, 'identifier'),
  // Not required: blank counts as not sent (SPEC §3), so create gives it its default.
  model_version: withDefault(
    { rule: optionalText(50, 'identifier'), blankIsDefault: true },
    'latest',
  ),
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
  envs: withDefault({ rule: envsSchema }, {}),
} satisfies Record<MutableFieldName, Field>;

type Fields = typeof FIELDS;
type FieldName = keyof Fields;
type OptionalName = OptionalTextField;
type MarkedOptional = {
  [K in FieldName]: Fields[K] extends { optional: true } ? K : never;
}[FieldName];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time: the fields built by optionalTextField are exactly OPTIONAL_TEXT_FIELDS. */
export const OPTIONAL_FIELDS_AGREE: Same<MarkedOptional, OptionalName> = true;
type DefaultOf<K extends FieldName> = Fields[K] extends { default: infer V } ? V : never;
type DefaultedName = { [K in FieldName]: DefaultOf<K> extends never ? never : K }[FieldName];
type Rule<K extends FieldName> = Fields[K]['rule'];

const ENTRIES = Object.entries(FIELDS) as [FieldName, Field][];
const OPTIONAL: ReadonlySet<string> = new Set(OPTIONAL_TEXT_FIELDS);

/**
 * One schema per field, made by `schemaOf`. Object.fromEntries loses the key → schema pairing,
 * so the caller names the shape's type, written as the same mapping at the type level.
 */
const shapeOf = <Shape>(schemaOf: (field: Field, optional: boolean) => z.ZodMiniType): Shape =>
  Object.fromEntries(
    ENTRIES.map(([name, field]) => [name, schemaOf(field, OPTIONAL.has(name))]),
  ) as Shape;

/** The fields a request may set. */
export const MUTABLE_FIELDS = ENTRIES.map(([name]) => name);

/** What create gives the fields that have a default when they are not sent. */
export const DEFAULTS = Object.fromEntries(
  ENTRIES.filter(([, field]) => 'default' in field).map(([name, field]) => [name, field.default]),
) as { readonly [K in DefaultedName]: DefaultOf<K> };

/**
 * A field's rule on create: optional fields may be left out; a field with a default gets it when
 * not sent, or, for `blankIsDefault` text, when sent blank.
 */
function createRule(f: Field, optional: boolean): z.ZodMiniType {
  if (optional) return z.optional(f.rule);
  if (!('default' in f)) return f.rule;
  const rule = f.blankIsDefault
    ? z.pipe(
        f.rule,
        z.transform((v) => v ?? f.default),
      )
    : f.rule;
  return z._default(rule, f.default);
}

/** Create: required fields must be sent, the others get their default or stay unset. */
export const createInstanceSchema = z.strictObject(
  shapeOf<{
    [K in FieldName]: K extends OptionalName
      ? z.ZodMiniOptional<Rule<K>>
      : K extends DefaultedName
        ? z.ZodMiniDefault<Rule<K>>
        : Rule<K>;
  }>(createRule),
);
export type CreateInstanceInput = z.output<typeof createInstanceSchema>;

/**
 * Partial update (PUT and PATCH alike): only the fields sent change. `null` clears an
 * optional field; required fields cannot be cleared.
 */
export const updateInstanceSchema = z.partial(
  z.strictObject(
    shapeOf<{ [K in FieldName]: K extends OptionalName ? z.ZodMiniNullable<Rule<K>> : Rule<K> }>(
      (f, optional) => (optional ? z.nullable(f.rule) : f.rule),
    ),
  ),
);
export type UpdateInstanceInput = z.output<typeof updateInstanceSchema>;
