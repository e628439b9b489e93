/**
 * The instance list's filters as one query and the check of an instance against it. Apart from
 * the list itself (./listing.ts), so the bulk operations worker re-checks its targets without
 * bundling the list's schemas and cursors.
 */
import { nameKey } from '../domain/fields.ts';
import type { Instance } from '../domain/instance-schema.ts';
import type { ListInstancesQuery } from '../domain/query.ts';

/** A list query with its aliases resolved (listing.ts `normalizeQuery`). */
export type NormalizedQuery = Omit<ListInstancesQuery, 'cluster' | 'page'>;

/** Every filter, applied to a hydrated item (also re-checks index keys that may lag). */
export function matches(q: NormalizedQuery, i: Instance): boolean {
  if (q.status && !q.status.includes(i.status)) return false;
  if (q.priority && !q.priority.includes(i.priority)) return false;
  if (q.model_name !== undefined && i.model_name !== q.model_name) return false;
  if (q.cluster_name !== undefined && i.cluster_name !== q.cluster_name) return false;
  if (q.created_after !== undefined && i.created_at < q.created_after) return false;
  if (q.created_before !== undefined && i.created_at > q.created_before) return false;
  if (q.name !== undefined && !nameKey(i.name).includes(nameKey(q.name))) return false;
  if (q.search !== undefined) {
    const needle = nameKey(q.search);
    const hay = [i.name, i.model_name, i.cluster_name, i.description ?? ''];
    if (!hay.some((h) => nameKey(h).includes(needle))) return false;
  }
  return true;
}
