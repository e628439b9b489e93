/**
 * Request schemas of the operation routes, and the checks a schema cannot express (ids xor
 * filter, the bulk-update `data`, the list filter), each failure a 422 naming the field.
 */
import * as z from 'zod/mini';
import { READ_ONLY_FIELDS, updateInstanceSchema } from '../domain/instance.ts';
import { intParam, isoDate, listInstancesQuerySchema } from '../domain/query.ts';
import { issuesToDetails } from '../domain/validation.ts';
import { badRequest, validationError, type ErrorDetails } from '../domain/errors.ts';
import { normalizeQuery } from '../repo/listing.ts';
import {
  MAX_OPERATION_ITEMS,
  OPERATION_STATUSES,
  OPERATION_TYPES,
  type ExportFormat,
  type OperationFilter,
} from './model.ts';
import type { UpdateInstanceInput } from '../domain/instance.ts';

const ids = z.array(z.int().check(z.gte(1), z.lte(999_999_999))).check(
  z.minLength(1),
  z.maxLength(MAX_OPERATION_ITEMS),
  z.refine((v) => new Set(v).size === v.length, 'must not contain duplicates'),
);
/** JSON form of the list filters: strings, or arrays for the multi-value ones. */
const filter = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export const createOperationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('bulk-update'),
    ids: z.optional(ids),
    filter: z.optional(filter),
    data: z.record(z.string(), z.unknown()),
  }),
  z.strictObject({
    type: z.literal('bulk-delete'),
    ids: z.optional(ids),
    filter: z.optional(filter),
  }),
  z.strictObject({
    type: z.literal('export'),
    instance_ids: z.optional(ids),
    format: z._default(z.enum(['json', 'csv']), 'json'),
    start_date: z.optional(isoDate),
    end_date: z.optional(isoDate),
  }),
]);
export type CreateOperationBody = z.output<typeof createOperationSchema>;

/** A validated request, ready to resolve and store. */
export type OperationInput =
  | { type: 'bulk-update'; ids?: number[]; filter?: OperationFilter; data: UpdateInstanceInput }
  | { type: 'bulk-delete'; ids?: number[]; filter?: OperationFilter }
  | {
      type: 'export';
      instance_ids?: number[];
      format: ExportFormat;
      start_date?: string;
      end_date?: string;
    };

/** Filters an operation accepts: the list filters (SPEC §4) without paging and sorting. */
export const FILTER_KEYS = [
  'name',
  'search',
  'model_name',
  'cluster_name',
  'cluster',
  'status',
  'priority',
  'created_after',
  'created_before',
] as const;

const prefixed = (prefix: string, details: ErrorDetails): ErrorDetails =>
  Object.fromEntries(
    Object.entries(details).map(([k, v]) => [k === '_body' ? prefix : `${prefix}.${k}`, v]),
  );

export function parseFilter(sent: Record<string, string | string[]>): OperationFilter {
  const details: ErrorDetails = {};
  const asQuery: Record<string, string> = {};
  for (const [key, value] of Object.entries(sent)) {
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      details[`filter.${key}`] = `unknown filter (one of: ${FILTER_KEYS.join(', ')})`;
      continue;
    }
    asQuery[key] = Array.isArray(value) ? value.join(',') : value;
  }
  if (Object.keys(details).length) throw validationError('Invalid filter', details);
  const parsed = listInstancesQuerySchema.safeParse(asQuery);
  if (!parsed.success) {
    throw validationError(
      'Invalid filter',
      prefixed('filter', issuesToDetails(parsed.error.issues, asQuery)),
    );
  }
  let normalized;
  try {
    normalized = normalizeQuery(parsed.data);
  } catch (err) {
    const e = err as { message: string; details?: ErrorDetails };
    throw validationError(e.message, prefixed('filter', e.details ?? {}));
  }
  const { limit: _l, cursor: _c, skip: _s, sort_by: _b, sort_order: _o, ...query } = normalized;
  return { sent, query };
}

function parseData(data: Record<string, unknown>): UpdateInstanceInput {
  const parsed = updateInstanceSchema.safeParse(data);
  if (!parsed.success) {
    throw validationError(
      'Invalid update data',
      prefixed('data', issuesToDetails(parsed.error.issues, data, READ_ONLY_FIELDS)),
    );
  }
  if (Object.keys(parsed.data).length === 0) {
    throw validationError('Invalid update data', { data: 'must change at least one field' });
  }
  // Names are unique: one name cannot be given to many instances.
  if (parsed.data.name !== undefined) {
    throw validationError('Invalid update data', {
      'data.name': 'names are unique; rename instances one by one',
    });
  }
  return parsed.data;
}

/** Cross-field rules and the nested parses; throws 422 with every problem it can name. */
export function validateOperation(body: CreateOperationBody): OperationInput {
  if (body.type === 'export') {
    if (body.start_date && body.end_date && body.start_date > body.end_date) {
      throw validationError('Invalid date range', {
        start_date: 'must not be later than end_date',
      });
    }
    return {
      type: 'export',
      format: body.format,
      ...(body.instance_ids ? { instance_ids: body.instance_ids } : {}),
      ...(body.start_date ? { start_date: body.start_date } : {}),
      ...(body.end_date ? { end_date: body.end_date } : {}),
    };
  }
  if ((body.ids === undefined) === (body.filter === undefined)) {
    throw validationError('Send exactly one of "ids" and "filter"', {
      ids: 'send either ids or filter',
      filter: 'send either ids or filter',
    });
  }
  const target = body.ids ? { ids: body.ids } : { filter: parseFilter(body.filter!) };
  if (body.type === 'bulk-delete') return { type: 'bulk-delete', ...target };
  return { type: 'bulk-update', ...target, data: parseData(body.data) };
}

/** `{operation_id}`: the ids this service issues (UUIDs); anything else cannot exist. */
export const operationPathSchema = z.strictObject({
  operation_id: z.string().check(z.regex(/^[0-9a-f-]{36}$/, 'must be an operation id')),
});

export const listOperationsQuerySchema = z.strictObject({
  limit: z._default(intParam(1, 100), 20),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
  status: z.optional(z.enum(OPERATION_STATUSES)),
  type: z.optional(z.enum(OPERATION_TYPES)),
});
export type ListOperationsQuery = z.output<typeof listOperationsQuerySchema>;

export const invalidOperationCursor = () =>
  badRequest('Invalid cursor', { cursor: 'not a cursor issued by this list' });
