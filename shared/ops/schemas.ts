/**
 * Request schemas of the operation routes, and the checks a schema cannot express (ids xor
 * filter, `all` for an empty filter, the bulk-update `data`, the list filter), each failure a
 * 422 naming the field.
 */
import * as z from 'zod/mini';
import { READ_ONLY_FIELDS, updateInstanceSchema } from '../domain/instance.ts';
import { isoDate, listInstancesQuerySchema } from '../domain/query.ts';
import { issuesToDetails } from '../domain/validation.ts';
import { payloadTooLarge, validationError, type ErrorDetails } from '../domain/errors.ts';
import { MAX_BODY_BYTES } from '../config/body.ts';
import { MAX_ID } from '../domain/ids.ts';
import { normalizeQuery } from '../repo/listing.ts';
import { MAX_OPERATION_ITEMS, type ExportFormat, type OperationFilter } from './model.ts';
import { OPERATION_TYPES } from './view.ts';
import type { UpdateInstanceInput } from '../domain/instance.ts';

// The schemas of the routes that read or cancel an operation, in a module of their own: those
// Lambdas (and the repository) then bundle none of the create schemas here.
export {
  invalidOperationCursor,
  listOperationsQuerySchema,
  operationPathSchema,
  type ListOperationsQuery,
} from './read-schemas.ts';

const ids = z.array(z.int().check(z.gte(1), z.lte(MAX_ID))).check(
  z.minLength(1),
  z.maxLength(MAX_OPERATION_ITEMS),
  z.refine((v) => new Set(v).size === v.length, 'must not contain duplicates'),
);
/** JSON form of the list filters: strings, or arrays for the multi-value ones. */
const filter = z.record(
  z.string(),
  z.union([z.string(), z.array(z.string())], { error: 'must be a string or a list of strings' }),
);
/** Confirms that a filter without criteria is meant to target every instance. */
const all = z.optional(z.boolean());
/** The count the caller previewed: if the filter matches another count now, the request is 409. */
const expectedTotal = z.optional(z.int().check(z.gte(0)));

export const createOperationSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('bulk-update'),
      ids: z.optional(ids),
      filter: z.optional(filter),
      all,
      expected_total: expectedTotal,
      data: z.record(z.string(), z.unknown()),
    }),
    z.strictObject({
      type: z.literal('bulk-delete'),
      ids: z.optional(ids),
      filter: z.optional(filter),
      all,
      expected_total: expectedTotal,
    }),
    z.strictObject({
      type: z.literal('export'),
      instance_ids: z.optional(ids),
      format: z._default(z.enum(['json', 'csv']), 'json'),
      start_date: z.optional(isoDate),
      end_date: z.optional(isoDate),
    }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `must be one of: ${OPERATION_TYPES.join(', ')}` : undefined,
  },
);
export type CreateOperationBody = z.output<typeof createOperationSchema>;

/**
 * What a bulk operation targets: the ids sent, or what a filter matches. `expected_total` (filter
 * only) is checked against the resolved count before the operation is stored.
 */
type BulkTarget = { ids: number[] } | { filter: OperationFilter; expected_total?: number };

/** A validated request, ready to resolve and store. */
export type OperationInput =
  | ({ type: 'bulk-update'; data: UpdateInstanceInput } & BulkTarget)
  | ({ type: 'bulk-delete' } & BulkTarget)
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
      prefixed(
        'filter',
        issuesToDetails(parsed.error.issues, asQuery, [], listInstancesQuerySchema),
      ),
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
  // The larger body this route takes is for ids: what is written into each instance stays
  // within what a PATCH may send.
  const bytes = Buffer.byteLength(JSON.stringify(data));
  if (bytes > MAX_BODY_BYTES) {
    throw payloadTooLarge(`data exceeds ${MAX_BODY_BYTES} bytes, the most one change may write`, {
      max_bytes: MAX_BODY_BYTES,
      received_bytes: bytes,
    });
  }
  const parsed = updateInstanceSchema.safeParse(data);
  if (!parsed.success) {
    throw validationError(
      'Invalid update data',
      prefixed(
        'data',
        issuesToDetails(parsed.error.issues, data, READ_ONLY_FIELDS, updateInstanceSchema),
      ),
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
      ...(body.all === true ? { all: 'confirms an empty filter: send it with "filter": {}' } : {}),
    });
  }
  const target = body.ids ? idsTarget(body, body.ids) : filterTarget(body, body.filter!);
  if (body.type === 'bulk-delete') return { type: 'bulk-delete', ...target };
  return { type: 'bulk-update', ...target, data: parseData(body.data) };
}

type BulkBody = Extract<CreateOperationBody, { type: 'bulk-update' | 'bulk-delete' }>;

function idsTarget(body: BulkBody, ids: number[]): BulkTarget {
  const details: ErrorDetails = {};
  if (body.all === true) details.all = 'only with an empty filter; ids name their targets';
  if (body.expected_total !== undefined) {
    details.expected_total = 'only with filter; with ids the total is the number of ids';
  }
  if (Object.keys(details).length) throw validationError('Invalid operation target', details);
  return { ids };
}

/**
 * A filter without criteria matches every instance, so it must be confirmed with `"all": true`
 * (and `all` with criteria is refused, so that no one reads it as "ignore the filter"). The
 * check is on the parsed query, not on the keys sent: whatever a key turned into, a filter
 * that constrains nothing is an empty filter.
 */
function filterTarget(body: BulkBody, sent: Record<string, string | string[]>): BulkTarget {
  const parsed = parseFilter(sent);
  const empty = Object.values(parsed.query).every((v) => v === undefined);
  if (empty && body.all !== true) {
    throw validationError(
      'An empty filter matches every instance; send "all": true to confirm, or add criteria',
      { all: 'must be true when the filter has no criteria' },
    );
  }
  if (!empty && body.all === true) {
    throw validationError('"all": true is only for an empty filter', {
      all: 'only with an empty filter; this filter has criteria',
    });
  }
  return {
    filter: parsed,
    ...(body.expected_total !== undefined ? { expected_total: body.expected_total } : {}),
  };
}
