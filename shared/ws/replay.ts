/** Reads the history records a resuming subscriber missed, in history_id order. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HistoryRecord } from '../domain/history.ts';
import { HistoryTable } from '../repo/history-table.ts';

export class ReplayReader {
  private readonly table: HistoryTable;

  constructor(client: DynamoDBDocumentClient, historyTable: string) {
    this.table = new HistoryTable(client, historyTable);
  }

  /**
   * Records after `since` for the topics, ascending, at most `max` (+1 to tell "too many").
   * `instances` walks the global history-id index; `instance:<id>` reads that partition.
   */
  async after(since: number, topics: readonly string[], max: number): Promise<HistoryRecord[]> {
    const found = new Map<number, HistoryRecord>();
    if (topics.includes('instances')) {
      for (const r of await this.allAfter(since, max + 1)) found.set(r.history_id, r);
    } else {
      for (const t of topics) {
        const m = /^instance:(\d+)$/.exec(t);
        if (!m) continue;
        for (const r of await this.instanceAfter(Number(m[1]), since)) found.set(r.history_id, r);
      }
    }
    return [...found.values()].sort((a, b) => a.history_id - b.history_id).slice(0, max + 1);
  }

  /** The newest history id there is (0 when there is none): one key read of the index. */
  newest(): Promise<number> {
    return this.table.newestId();
  }

  private async allAfter(since: number, limit: number): Promise<HistoryRecord[]> {
    const keys = await this.table.entries(
      { by: 'historyId' },
      { ascending: true, after: since, max: limit },
    );
    return this.table.hydrate(keys);
  }

  private async instanceAfter(instanceId: number, since: number): Promise<HistoryRecord[]> {
    const out: HistoryRecord[] = [];
    for await (const page of this.table.recordPages(instanceId, {
      ascending: true,
      filter: { historyId: { above: since } },
    })) {
      out.push(...page.records);
    }
    return out;
  }
}
