/** Query-string schemas (HTTP API v2 joins repeated keys with commas before we see them). */
import * as z from 'zod/mini';
import { PRIORITIES, STATUSES } from './instance.ts';

/** An integer query parameter within bounds. */
export const intParam = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d{1,9}$/, 'must be an integer')),
    z.pipe(
      z.transform((s: string) => Number(s)),
      z.int().check(z.gte(min), z.lte(max)),
    ),
  );

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

export const listInstancesQuerySchema = z.strictObject({
  limit: z._default(intParam(1, 1000), 100),
  cursor: z.optional(z.string().check(z.maxLength(4096))),
  skip: z.optional(intParam(0, 100_000)),
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
