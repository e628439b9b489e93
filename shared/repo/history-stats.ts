/** GET /api/instances/{id}/history/stats: one pass over the instance's partition, projected. */
import type { HistoryStats } from '../domain/history.ts';
import type { TimeRange } from '../domain/change.ts';
import { HistoryStatsAccumulator, rangeStart, type StatsInput } from '../domain/history-stats.ts';
import { HistoryReader } from './history-reader.ts';

export class HistoryStatsReader extends HistoryReader {
  async stats(instanceId: number, range: TimeRange): Promise<HistoryStats> {
    const now = this.clock();
    const from = rangeStart(range, now);
    const acc = new HistoryStatsAccumulator();
    let seen = 0;
    const projection = [
      'history_id',
      'version',
      'operation_type',
      'operation_timestamp',
      'actor',
      'changed_fields',
    ];
    for await (const page of this.table.walk(
      { by: 'instance', instanceId },
      { ascending: true, projection },
    )) {
      for (const item of page.items) {
        seen++;
        const r = item as unknown as StatsInput;
        if (from !== undefined && r.operation_timestamp < from) continue;
        acc.add({ ...r, changed_fields: r.changed_fields ?? [] });
      }
    }
    if (seen === 0) await this.assertInstanceKnown(instanceId);
    return {
      instance_id: instanceId,
      time_range: range,
      from: from ?? null,
      to: now.toISOString(),
      ...acc.result(),
    };
  }
}
