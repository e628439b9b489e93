/**
 * A WebSocket instance event applied to the query cache, in place: the detail entry and every
 * cached list page that shows the row take the new state (never an older one: versions only go
 * up); a list whose filter or sort the change may affect, or that may gain a new row, is
 * invalidated so the server decides (filters never run in the browser); counters refetch.
 */
import type { QueryClient } from '@tanstack/react-query';
import type {
  Instance,
  InstanceEvent,
  InstanceList,
  ListInstancesQuery,
} from '../../../../../client/index.ts';
import { instanceKeys } from '../api/keys.ts';
import { fieldsThatMove } from '../search.ts';
import { historyKeys } from '../../history/api/keys.ts';
import type { Refetch } from './refetch-queue.ts';

export interface ApplyResult {
  /** Lists whose rows changed in place. */
  updatedLists: number;
  /** Lists left to refetch. */
  invalidatedLists: number;
}

const isInstance = (v: unknown): v is Instance =>
  typeof v === 'object' && v !== null && typeof (v as Instance).id === 'number';

/**
 * `refetch` defaults to an immediate invalidation; the console passes its RefetchQueue, which
 * coalesces bursts.
 */
export function applyInstanceEvent(
  qc: QueryClient,
  event: InstanceEvent,
  refetch: Refetch = (queryKey, exact = true) => void qc.invalidateQueries({ queryKey, exact }),
): ApplyResult {
  const id = event.instance_id;
  const deleted = event.type === 'instance.deleted';
  const state = !deleted && !event.truncated && isInstance(event.instance) ? event.instance : null;
  const result: ApplyResult = { updatedLists: 0, invalidatedLists: 0 };

  // Detail: the new state, or a refetch when the message did not carry it.
  const detailKey = instanceKeys.detail(id);
  if (deleted) {
    refetch(detailKey);
  } else if (state) {
    const cached = qc.getQueryData<Instance>(detailKey);
    if (!cached || cached.version < state.version) qc.setQueryData(detailKey, state);
  } else {
    refetch(detailKey);
  }

  for (const [key, page] of qc.getQueriesData<InstanceList>({ queryKey: instanceKeys.lists() })) {
    if (!page) continue;
    const query = key[2] as ListInstancesQuery | undefined;
    const index = page.items.findIndex((i) => i.id === id);
    const moves =
      !query || event.changed_fields.some((f) => fieldsThatMove(query).includes(f)) || !state;
    if (index >= 0 && deleted) {
      // Leaves at once; the refetch fills the gap from the next page.
      qc.setQueryData<InstanceList>(key, {
        ...page,
        items: page.items.filter((i) => i.id !== id),
        count: page.count - 1,
      });
      result.updatedLists++;
      refetch(key);
      result.invalidatedLists++;
    } else if (index >= 0 && state) {
      if (page.items[index]!.version < state.version) {
        const items = page.items.slice();
        items[index] = state;
        qc.setQueryData<InstanceList>(key, { ...page, items });
        result.updatedLists++;
      }
      if (moves) {
        refetch(key);
        result.invalidatedLists++;
      }
    } else if (
      !deleted &&
      (event.type === 'instance.created' || event.type === 'instance.restored' || moves)
    ) {
      // It may belong on this page now: the server knows.
      refetch(key);
      result.invalidatedLists++;
    }
  }

  refetch(historyKeys.instance(id), false);
  return result;
}
