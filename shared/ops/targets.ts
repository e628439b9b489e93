/** Resolves an operation's target ids: the ids sent, or a list filter walked page by page. */
import { listInstancesQuerySchema } from '../domain/query.ts';
import { validationError } from '../domain/errors.ts';
import type { InstanceLister } from '../repo/listing.ts';
import { MAX_OPERATION_ITEMS, type OperationFilter } from './model.ts';

/**
 * Every instance matching `filter` (oldest first), read with the list's key queries. More than
 * MAX_OPERATION_ITEMS is a 422: the caller narrows the filter instead of getting a partial job.
 */
export async function resolveFilter(
  lister: Pick<InstanceLister, 'list'>,
  filter: OperationFilter,
): Promise<number[]> {
  const ids: number[] = [];
  const base = listInstancesQuerySchema.parse({ limit: '1000', sort_order: 'asc' });
  let cursor: string | undefined;
  do {
    const page = await lister.list({ ...base, ...filter.query, ...(cursor ? { cursor } : {}) });
    for (const i of page.items) ids.push(i.id);
    if (ids.length > MAX_OPERATION_ITEMS) {
      throw validationError(
        `The filter matches more than ${MAX_OPERATION_ITEMS} instances; narrow it or split the work`,
        { filter: `matches more than ${MAX_OPERATION_ITEMS} instances` },
      );
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return ids;
}
