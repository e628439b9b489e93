/**
 * History read side of the API (the stream consumer writes; this only reads), through the
 * table's access layer (history-table.ts). Key queries only, never a Scan. This reader holds
 * what every history route shares: records by history_id (the KEYS_ONLY `byHistoryId` index,
 * then GetItem), one instance's records in version order, and the 404 for an unknown instance.
 * The list, stats and search each extend it in a module of their own (history-list.ts,
 * history-stats.ts, history-search.ts), so a Lambda bundles only its route's code.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../aws/dynamo.ts';
import type { HistoryRecord } from '../domain/history.ts';
import { notFound } from '../domain/errors.ts';
import { HistoryTable } from './history-table.ts';

/** The history table, and the instances table that tells an unknown instance apart. */
export type HistoryTables = Pick<TableNames, 'history'> & Partial<Pick<TableNames, 'instances'>>;

export class HistoryReader {
  protected readonly table: HistoryTable;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    /** `instances` tells an unknown instance (404) from one whose history is still empty. */
    private readonly tables: HistoryTables,
    protected readonly clock: () => Date = () => new Date(),
  ) {
    this.table = new HistoryTable(client, tables.history);
  }

  // ----- one instance -------------------------------------------------------------------------

  /** Records of one instance, oldest first, `pageSize` at a time (export). */
  async *records(instanceId: number, pageSize = 100): AsyncGenerator<HistoryRecord[]> {
    for await (const page of this.table.recordPages(instanceId, { ascending: true, pageSize })) {
      if (page.records.length) yield page.records;
    }
  }

  /** 404 unless the instance exists or existed (a tombstone): its history may just be empty. */
  async assertInstanceKnown(instanceId: number): Promise<void> {
    if (!this.tables.instances) return;
    const res = await this.client.send(
      new GetCommand({
        TableName: this.tables.instances,
        Key: { id: instanceId },
        ProjectionExpression: 'id',
      }),
    );
    if (!res.Item) throw notFound(`Instance ${instanceId} not found`, { id: instanceId });
  }

  // ----- records by history_id ----------------------------------------------------------------

  async get(historyId: number): Promise<HistoryRecord | undefined> {
    const key = await this.table.keyOf(historyId);
    return key ? this.table.get(key) : undefined;
  }

  async getOrThrow(historyId: number): Promise<HistoryRecord> {
    const r = await this.get(historyId);
    if (!r) throw notFound(`History record ${historyId} not found`, { history_id: historyId });
    return r;
  }

  /**
   * A record of instance `instanceId`. A record of another instance is a 404 too: under
   * `/instances/{id}/…` it is not a resource of that instance.
   */
  async getForInstance(instanceId: number, historyId: number): Promise<HistoryRecord> {
    const r = await this.get(historyId);
    if (!r || r.instance_id !== instanceId) {
      throw notFound(`History record ${historyId} of instance ${instanceId} not found`, {
        id: instanceId,
        history_id: historyId,
        ...(r ? { belongs_to_instance: r.instance_id } : {}),
      });
    }
    return r;
  }

  /** Records in the order of `ids`; 404 naming every id that does not exist. */
  async getMany(ids: readonly number[]): Promise<HistoryRecord[]> {
    // Each record is read once, however often it is asked for.
    const unique = [...new Set(ids)];
    const keys = await Promise.all(unique.map((id) => this.table.keyOf(id)));
    const missing = unique.filter((_, i) => !keys[i]);
    if (missing.length) throw notFound('History records not found', { missing });
    const records = await this.table.hydrate(keys.filter((k) => k !== undefined));
    const byId = new Map(records.map((r) => [r.history_id, r]));
    const out = ids.map((id) => byId.get(id));
    const gone = ids.filter((_, i) => !out[i]);
    if (gone.length) throw notFound('History records not found', { missing: gone });
    return out as HistoryRecord[];
  }
}
