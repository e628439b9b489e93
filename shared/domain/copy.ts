/**
 * Copying an instance: the body, and the names a copy gets when none is given
 * (`<name>-copy`, `<name>-copy-2`, …, kept within the name length limit).
 */
import * as z from 'zod/mini';
import {
  createInstanceSchema,
  MUTABLE_FIELDS,
  optionalNameSchema,
  updateInstanceSchema,
  type Instance,
} from './instance.ts';
import { parseBody } from './validation.ts';

export const MAX_NAME_CHARS = 255;
/** Candidates tried before giving up with a 409 (each is one conditional write). */
export const MAX_COPY_NAME_ATTEMPTS = 50;

export const copyInstanceSchema = z.strictObject({
  /** The copy's name; without it (or blank) the first free `<name>-copy[-N]`. */
  name: z.optional(optionalNameSchema),
  /** Fields to change in the copy, validated like a PATCH (the name goes in `name`). */
  overrides: z.optional(z.omit(updateInstanceSchema, { name: true })),
});
export type CopyInstanceInput = z.output<typeof copyInstanceSchema>;
/** The request body: `copyInstanceSchema`, or nothing at all (= `{}`). */
export const copyInstanceBodySchema = z._default(copyInstanceSchema, () => ({}));

/** The n-th default name (n ≥ 1) for a copy of `name`. */
export function copyName(name: string, n: number): string {
  const suffix = n === 1 ? '-copy' : `-copy-${n}`;
  const base = [...name].slice(0, MAX_NAME_CHARS - suffix.length).join('');
  return base + suffix;
}

/** The create body of a copy: the source's configuration, the overrides applied. */
export function copyBody(
  source: Instance,
  overrides: CopyInstanceInput['overrides'],
  name: string,
) {
  const config: Record<string, unknown> = {};
  for (const f of MUTABLE_FIELDS) if (source[f] !== undefined) config[f] = source[f];
  for (const [k, v] of Object.entries(overrides ?? {})) {
    // `null` clears an optional field, as in a PATCH.
    if (v === null) delete config[k];
    else if (v !== undefined) config[k] = v;
  }
  // Validated like a create: a source stored under older rules gets a 422 naming the field.
  return parseBody(createInstanceSchema, { ...config, name });
}
