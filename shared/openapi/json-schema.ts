/**
 * zod/mini → JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) with zod's own
 * `toJSONSchema`. Request bodies are converted on their input side (what a caller sends, before
 * trimming and defaults), responses on their output side. Query and path parameters use the
 * output side where it can be represented (`limit` is an integer 1–1000, `status` an array of
 * enum values: the deserialized value OpenAPI parameter schemas describe) and fall back to the
 * input side where a transform ends the pipe (ISO dates are normalised by a transform).
 */
import * as z from 'zod/mini';

export type JsonSchema = Record<string, unknown>;
type Schema = z.ZodMiniType;
type Def = { type: string; in?: Schema; out?: Schema };

const defOf = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const UNREPRESENTABLE = 'x-unrepresentable';

/**
 * Trimmed strings are `pipe(pipe(string, trim), string.check(…))`: their input side is a bare
 * string. Describe the trimming and carry the length rules of the checked side over, which is
 * what a form or a caller needs to know.
 */
function describeTrimmed(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const def = defOf(ctx.zodSchema as Schema);
  if (def.type !== 'pipe' || !def.in || !def.out) return;
  const inner = defOf(def.in);
  if (inner.type === 'string' && defOf(def.out).type === 'transform') {
    ctx.jsonSchema.description =
      'Surrounding whitespace is trimmed; empty after trim counts as not sent.';
  }
  if (inner.type === 'pipe' && inner.out && defOf(inner.out).type === 'transform') {
    const checked = z.toJSONSchema(def.out, { unrepresentable: 'any' }) as JsonSchema;
    for (const k of ['minLength', 'maxLength', 'pattern']) {
      if (checked[k] !== undefined) ctx.jsonSchema[k] = checked[k];
    }
  }
}

/** Drops `$schema` / `$id` (the document sets the dialect) and z.int()'s safe-integer bounds. */
function tidy(s: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = s;
  return JSON.parse(JSON.stringify(rest), (key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const o = value as JsonSchema;
      if (o.maximum === Number.MAX_SAFE_INTEGER) delete o.maximum;
      if (o.minimum === Number.MIN_SAFE_INTEGER) delete o.minimum;
    }
    return value;
  }) as JsonSchema;
}

/**
 * Converts named schemas into `components.schemas` entries; a schema nested in another named
 * one becomes a `$ref` to it.
 */
export function componentSchemas(
  named: ReadonlyMap<Schema, string>,
  io: 'input' | 'output',
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
    override: io === 'input' ? describeTrimmed : undefined,
  });
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, tidy(s as JsonSchema)]));
}

/** One schema converted on its own (a body or response shape no other route shares). */
export function inlineSchema(schema: Schema, io: 'input' | 'output'): JsonSchema {
  return tidy(
    z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      override: io === 'input' ? describeTrimmed : undefined,
    }) as JsonSchema,
  );
}

export interface ParameterSchema {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

const hasUnrepresentable = (s: unknown): boolean =>
  JSON.stringify(s ?? null).includes(`"${UNREPRESENTABLE}"`);

/** The parameters of a query or path object schema, one per key. */
export function parameterSchemas(objectSchema: Schema): ParameterSchema[] {
  const input = tidy(z.toJSONSchema(objectSchema, { io: 'input', unrepresentable: 'any' }));
  const output = tidy(
    z.toJSONSchema(objectSchema, {
      io: 'output',
      unrepresentable: () => ({ [UNREPRESENTABLE]: true }),
    }),
  );
  const inProps = (input.properties ?? {}) as Record<string, JsonSchema>;
  const outProps = (output.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((input.required ?? []) as string[]);
  return Object.keys(inProps).map((name) => {
    const out = outProps[name];
    let schema: JsonSchema;
    if (out && !hasUnrepresentable(out)) {
      schema = out;
    } else {
      schema = { ...inProps[name] };
      if (out?.default !== undefined && schema.default === undefined) schema.default = out.default;
    }
    // A default must be a value of the schema it sits on (`atomic`: "false", not false).
    if (schema.type === 'string' && schema.default !== undefined) {
      schema.default = String(schema.default);
    }
    return { name, required: required.has(name), schema };
  });
}
