/** Reads the history records a resuming subscriber missed, in history_id order. */
import { batchGetAll } from '../aws/batch-get.ts';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ALL_HISTORY_PK, HISTORY_INDEX } from '../config/tables.ts';
import type { HistoryRecord } from '../domain/history.ts';

export class ReplayReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly historyTable: string,
  ) {}

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
  async newest(): Promise<number> {
    const res = await this.client.send(
      new QueryCommand({
        TableName: this.historyTable,
        IndexName: HISTORY_INDEX.byHistoryId,
        KeyConditionExpression: 'h_pk = :h',
        ExpressionAttributeValues: { ':h': ALL_HISTORY_PK },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return Number(res.Items?.[0]?.history_id ?? 0);
  }

  private async allAfter(since: number, limit: number): Promise<HistoryRecord[]> {
    const keys: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.historyTable,
          IndexName: HISTORY_INDEX.byHistoryId,
          KeyConditionExpression: 'h_pk = :h AND history_id > :since',
          ExpressionAttributeValues: { ':h': ALL_HISTORY_PK, ':since': since },
          Limit: limit - keys.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      keys.push(
        ...(res.Items ?? []).map((k) => ({ instance_id: k.instance_id, version: k.version })),
      );
      start = res.LastEvaluatedKey;
    } while (start && keys.length < limit);
    return this.hydrate(keys);
  }

  private async instanceAfter(instanceId: number, since: number): Promise<HistoryRecord[]> {
    const out: HistoryRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.historyTable,
          KeyConditionExpression: 'instance_id = :id',
          FilterExpression: 'history_id > :since',
          ExpressionAttributeValues: { ':id': instanceId, ':since': since },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      out.push(...((res.Items ?? []) as HistoryRecord[]));
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private async hydrate(keys: Record<string, unknown>[]): Promise<HistoryRecord[]> {
    return (await batchGetAll(this.client, this.historyTable, keys)) as unknown as HistoryRecord[];
  }
}
