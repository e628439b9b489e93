/**
 * The instance counters (GET /api/instances/stats): their response shape and how the stored
 * counters become it. On their own, not in ./history.ts, so the stats handler bundles this
 * schema and not the history record's (nor the instance schemas that one is built on).
 */
import * as z from 'zod/mini';
import { PRIORITIES, STATUSES } from './fields.ts';

const count = z.int().check(z.gte(0));
const counts = z.record(z.string(), count);

/** GET /api/instances/stats: the stream-kept counters (`statsView`). */
export const instanceStatsSchema = z.object({
  total: count,
  by_status: z.partialRecord(z.enum(STATUSES), count),
  by_priority: z.partialRecord(z.enum(PRIORITIES), count),
  by_cluster: counts,
  by_model: counts,
});
export type InstanceStats = z.output<typeof instanceStatsSchema>;

/** Shapes stored counters (the stats shards summed) into the API response (zero counts left out). */
export function statsView(item: Record<string, unknown> | undefined): InstanceStats {
  const view = {
    total: 0,
    by_status: {} as Record<string, number>,
    by_priority: {} as Record<string, number>,
    by_cluster: {} as Record<string, number>,
    by_model: {} as Record<string, number>,
  };
  const target: Record<string, Record<string, number>> = {
    status: view.by_status,
    priority: view.by_priority,
    cluster: view.by_cluster,
    model: view.by_model,
  };
  for (const [k, v] of Object.entries(item ?? {})) {
    if (typeof v !== 'number') continue;
    if (k === 'total') view.total = v;
    const sep = k.indexOf('#');
    if (sep < 0 || v === 0) continue;
    const bucket = target[k.slice(0, sep)];
    if (bucket) bucket[k.slice(sep + 1)] = v;
  }
  return view;
}
