/** Query-string schemas (HTTP API v2 joins repeated keys with commas before we see them). */
import * as z from 'zod/mini';
import { PRIORITIES, STATUSES } from './fields.ts';
import { intParam } from './params.ts';

// In ./validation.ts with the rest of request parsing, so the HTTP wiring needs no query schema.
export { bracketListKeys } from './validation.ts';
// In ./params.ts, so a route with only an `{id}` bundles none of the list query schemas.
export { idParam, instanceNamePathSchema, instancePathSchema, intParam } from './params.ts';

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

/** Whether the calendar day the string starts with exists: Date.parse rolls 02-30 over to March. */
function dayExists(s: string): boolean {
  const [year, month, day] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An ISO 8601 date or date-time, normalised to UTC with milliseconds. */
export const isoDate = z.pipe(
  z.string().check(
    z.regex(
      /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/,
      'must be an ISO 8601 date',
    ),
    z.refine((s) => !Number.isNaN(Date.parse(s)) && dayExists(s), 'must be a valid date'),
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
