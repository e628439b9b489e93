/** Query-string schemas (HTTP API v2 joins repeated keys with commas before we see them). */
import * as z from 'zod/mini';
import { PRIORITIES, STATUSES } from './instance.ts';
import { badRequest } from './errors.ts';
import { numberRuleText } from './validation.ts';
import { isListSchema, shapeOf } from './schema-shape.ts';

/**
 * An integer query parameter within bounds. Every way to miss (`-1`, `abc`, `5000`) is told
 * the whole rule: "must be an integer from 1 to 1000".
 */
export const intParam = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d{1,9}$/, numberRuleText({ integer: true, min, max }))),
    z.pipe(
      z.transform((s: string) => Number(s)),
      z.int().check(z.gte(min), z.lte(max)),
    ),
  );

/**
 * Accepts axios's default array form `status[]=a&status[]=b` (API Gateway hands the handler
 * `"status[]": "a,b"`) beside the repeated (`status=a&status=b`) and comma forms: `key[]`
 * becomes `key`, merged with a plain `key` sent too. Only for list parameters of `schema`;
 * `limit[]=5` is a 400 saying `limit` takes one value, and an unknown `x[]` stays unknown.
 */
export function bracketListKeys(
  schema: z.ZodMiniType,
  query: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const bracketed = Object.keys(query).filter((k) => k.endsWith('[]'));
  if (bracketed.length === 0) return query;
  const shape = shapeOf(schema) ?? {};
  const out = { ...query };
  for (const key of bracketed) {
    const name = key.slice(0, -2);
    const field = Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (!field) continue;
    if (!isListSchema(field)) {
      throw badRequest('Invalid query parameters', {
        [key]: `${name} takes one value: send ${name}=…`,
      });
    }
    const values = [out[name], out[key]].filter((v) => v !== undefined && v !== '');
    delete out[key];
    out[name] = values.join(',');
  }
  return out;
}

/** One or more enum values, repeated (`a,b` after API Gateway) or comma-separated. */
export const enumList = <T extends readonly [string, ...string[]]>(values: T) =>
  z.pipe(
    z.string(),
    z.pipe(
      z.transform((s: string) => [
        ...new Set(
          s
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean),
        ),
      ]),
      z.array(z.enum(values)).check(z.minLength(1)),
    ),
  );

/** An ISO 8601 date or date-time, normalised to UTC with milliseconds. */
export const isoDate = z.pipe(
  z.string().check(
    z.regex(
      /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/,
      'must be an ISO 8601 date',
    ),
    z.refine((s) => !Number.isNaN(Date.parse(s)), 'must be a valid date'),
  ),
  z.transform((s: string) => new Date(Date.parse(s)).toISOString()),
);

const text = z.string().check(z.minLength(1), z.maxLength(255));

export const SORT_FIELDS = ['name', 'created_at', 'updated_at', 'status', 'priority'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

/** How far `skip` (or `page` × `limit`) may reach into a list; beyond, follow `next_cursor`. */
export const MAX_SKIP = 100_000;

export const listInstancesQuerySchema = z.strictObject({
  limit: z._default(intParam(1, 1000), 100),
  cursor: z.optional(z.string().check(z.maxLength(4096))),
  skip: z.optional(intParam(0, MAX_SKIP)),
  /** 1-based page of `limit` items (compatibility); not with `cursor` or `skip`. */
  page: z.optional(intParam(1, MAX_SKIP)),
  name: z.optional(text),
  search: z.optional(text),
  model_name: z.optional(text),
  cluster_name: z.optional(text),
  cluster: z.optional(text),
  status: z.optional(enumList(STATUSES)),
  priority: z.optional(enumList(PRIORITIES)),
  created_after: z.optional(isoDate),
  created_before: z.optional(isoDate),
  sort_by: z._default(z.enum(SORT_FIELDS), 'created_at'),
  sort_order: z._default(z.enum(['asc', 'desc']), 'desc'),
});
export type ListInstancesQuery = z.output<typeof listInstancesQuerySchema>;

/** `{id}` path parameter: a positive integer. */
export const idParam = intParam(1, 999_999_999);
export const instancePathSchema = z.object({ id: idParam });
/** `{name}` of GET /api/instances/by-name/{name}: any name the create rule allows. */
export const instanceNamePathSchema = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(255)),
});
