/**
 * Reads the history records a resuming subscriber may have missed: every record positioned no
 * earlier than RESUME_OVERLAP_MS before the position of the id the client sent, and every
 * record with a higher id (shared/ws/resume-window.ts), in history_id order, which is each
 * instance's version order.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HistoryRecord } from '../domain/history.ts';
import { HistoryTable, type Item } from '../repo/history-table.ts';
import { toRecord } from '../domain/history-query.ts';
import { HistoryPositions } from '../repo/history-position.ts';
import { RESUME_OVERLAP_MS } from './resume-window.ts';

/** Where a replay starts: the id the client sent, and the position replayed from. */
export interface ReplayFrom {
  since: number;
  /** Undefined when `since` names no record with a position: only higher ids are replayed. */
  fromPos: number | undefined;
}

export class ReplayReader {
  private readonly table: HistoryTable;
  readonly positions: HistoryPositions;

  constructor(client: DynamoDBDocumentClient, historyTable: string) {
    this.table = new HistoryTable(client, historyTable);
    this.positions = new HistoryPositions(client, historyTable);
  }

  /** The replay start for a client that sent `since`. */
  async start(since: number): Promise<ReplayFrom> {
    const key = since > 0 ? await this.table.keyOf(since) : undefined;
    const pos = key ? await this.positions.of(key) : undefined;
    return { since, fromPos: pos === undefined ? undefined : pos - RESUME_OVERLAP_MS };
  }

  /**
   * Records to replay for the topics, ascending by history_id, at most `max` (+1 to tell "too
   * many"), without the ids in `skip` (already sent on this connection). `instances` reads the
   * global indexes; `instance:<id>` reads that instance's partition.
   */
  async after(
    from: ReplayFrom,
    topics: readonly string[],
    max: number,
    skip: ReadonlySet<number> = new Set(),
  ): Promise<HistoryRecord[]> {
    const found = new Map<number, HistoryRecord>();
    const add = (records: HistoryRecord[]) => {
      for (const r of records) if (!skip.has(r.history_id)) found.set(r.history_id, r);
    };
    if (topics.includes('instances')) {
      add(await this.allAfter(from, max + 1 + skip.size));
    } else {
      for (const t of topics) {
        const m = /^instance:(\d+)$/.exec(t);
        if (m) add(await this.instanceAfter(Number(m[1]), from));
      }
    }
    return [...found.values()].sort((a, b) => a.history_id - b.history_id).slice(0, max + 1);
  }

  /** The newest history id there is (0 when there is none): one key read of the index. */
  newest(): Promise<number> {
    return this.table.newestId();
  }

  private async allAfter(from: ReplayFrom, limit: number): Promise<HistoryRecord[]> {
    const keys = new Map<string, Item>();
    const keep = (items: Item[]) => {
      for (const k of items) keys.set(`${String(k.instance_id)}#${String(k.version)}`, k);
    };
    keep(
      await this.table.entries(
        { by: 'historyId' },
        { ascending: true, after: from.since, max: limit },
      ),
    );
    if (from.fromPos !== undefined) {
      keep(
        await this.table.entries(
          { by: 'position' },
          { ascending: true, from: from.fromPos, max: limit },
        ),
      );
    }
    return this.table.hydrate([...keys.values()]);
  }

  /**
   * An instance's records after the start, read newest first until both the ids and the
   * positions are behind it (both grow with the version).
   */
  private async instanceAfter(instanceId: number, from: ReplayFrom): Promise<HistoryRecord[]> {
    const out: HistoryRecord[] = [];
    const wanted = (item: Item) =>
      Number(item.history_id) > from.since ||
      (from.fromPos !== undefined && typeof item.pos === 'number' && item.pos >= from.fromPos);
    for await (const { items } of this.table.walk(
      { by: 'instance', instanceId },
      { ascending: false, pageSize: 100 },
    )) {
      out.push(...items.filter(wanted).map(toRecord));
      if (!items.every(wanted)) break;
    }
    return out;
  }
}
