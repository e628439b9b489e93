/**
 * Reads the history records a resuming subscriber may have missed (shared/ws/resume-window.ts
 * says why these): every record with a higher id than the one the client sent, and every
 * record positioned no earlier than RESUME_OVERLAP_MS before that one's writer stamp — found
 * among lower ids by walking down the id index until the stamps are far enough behind, and
 * among records posted late through the sparse `byLatePosition` index. In history_id order,
 * which is each instance's version order.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HistoryRecord } from '../domain/history.ts';
import { HistoryTable, type Item } from '../repo/history-table.ts';
import { HistoryPositions, positionKey, positionsOf } from '../repo/history-position.ts';
import { ID_TO_STAMP_BOUND_MS, MAX_OVERLAP, RESUME_OVERLAP_MS } from './resume-window.ts';

/** Where a replay starts: the id the client sent, and the position replayed from. */
export interface ReplayFrom {
  since: number;
  /** Undefined when `since` names no record with a position: only higher ids are replayed. */
  fromPos: number | undefined;
}

/** Index entries read per step of the walk down the ids. */
const WALK_PAGE = 100;

export class ReplayReader {
  private readonly table: HistoryTable;
  readonly positions: HistoryPositions;

  constructor(client: DynamoDBDocumentClient, historyTable: string) {
    this.table = new HistoryTable(client, historyTable);
    this.positions = new HistoryPositions(client, historyTable);
  }

  /** The replay start for a client that sent `since`: from its record's writer stamp. */
  async start(since: number): Promise<ReplayFrom> {
    const key = since > 0 ? await this.table.keyOf(since) : undefined;
    const { pos } = key ? await this.positions.of(key) : {};
    return { since, fromPos: pos === undefined ? undefined : pos - RESUME_OVERLAP_MS };
  }

  /**
   * Records to replay for the topics, ascending by history_id, without the ids in `skip`
   * (already sent on this connection): at most `max` + 1 newer than `since` (+1 tells "too
   * many"), and the overlap — lower ids positioned in the window — up to MAX_OVERLAP + 1.
   */
  async after(
    from: ReplayFrom,
    topics: readonly string[],
    max: number,
    skip: ReadonlySet<number> = new Set(),
  ): Promise<HistoryRecord[]> {
    const newerLimit = max + 1 + skip.size;
    const overlapLimit = MAX_OVERLAP + 1 + skip.size;
    const all = topics.includes('instances');
    const instances = new Set(
      topics.flatMap((t) => /^instance:(\d+)$/.exec(t)?.[1] ?? []).map(Number),
    );
    const keys = new Map<string, Item>();
    const keep = (items: Item[]) => {
      for (const k of items) {
        if (!all && !instances.has(Number(k.instance_id))) continue;
        if (!skip.has(Number(k.history_id))) keys.set(positionKey(k), k);
      }
    };
    if (all) {
      keep(
        await this.table.entries(
          { by: 'historyId' },
          { ascending: true, after: from.since, max: newerLimit },
        ),
      );
      if (from.fromPos !== undefined)
        keep(await this.stampedBelow(from.since, from.fromPos, overlapLimit));
    } else {
      for (const id of instances) keep(await this.instanceAfter(id, from));
    }
    if (from.fromPos !== undefined) {
      keep(
        await this.table.entries(
          { by: 'latePosition' },
          { ascending: true, from: from.fromPos, max: newerLimit + overlapLimit },
        ),
      );
    }
    const records = (await this.table.hydrate([...keys.values()]))
      .filter((r) => !skip.has(r.history_id) && r.history_id !== from.since)
      .sort((a, b) => a.history_id - b.history_id);
    // The record the client names it has: never sent again.
    const overlap = records.filter((r) => r.history_id < from.since).slice(0, MAX_OVERLAP + 1);
    const newer = records.filter((r) => r.history_id > from.since).slice(0, max + 1);
    return [...overlap, ...newer];
  }

  /** The newest history id there is (0 when there is none): one key read of the index. */
  newest(): Promise<number> {
    return this.table.newestId();
  }

  /**
   * Index entries with ids at or below `since` whose writer stamp is at or after `fromPos`:
   * down the id index, a page at a time, until an entry's stamp is more than
   * ID_TO_STAMP_BOUND_MS before `fromPos` (every lower id was stamped before `fromPos` then).
   */
  private async stampedBelow(since: number, fromPos: number, limit: number): Promise<Item[]> {
    const out: Item[] = [];
    for await (const { items } of this.table.walk(
      { by: 'historyId' },
      { ascending: false, to: since, pageSize: WALK_PAGE },
    )) {
      const stamps = await this.positions.ofMany(items as never);
      let behind = false;
      for (const k of items) {
        const { pos } = stamps.get(positionKey(k)) ?? {};
        // No stamp: written before positions existed, so before anything stamped.
        if (pos === undefined || pos + ID_TO_STAMP_BOUND_MS < fromPos) behind = true;
        else if (pos >= fromPos) out.push(k);
      }
      if (behind || out.length >= limit) break;
    }
    return out;
  }

  /**
   * An instance's records with a higher id or a stamp in the window, newest first until both
   * are behind (both grow with the version); records posted late come from the late index.
   */
  private async instanceAfter(instanceId: number, from: ReplayFrom): Promise<Item[]> {
    const out: Item[] = [];
    for await (const { items } of this.table.walk(
      { by: 'instance', instanceId },
      {
        ascending: false,
        pageSize: WALK_PAGE,
        projection: ['instance_id', 'version', 'history_id', 'pos'],
      },
    )) {
      let behind = false;
      for (const item of items) {
        const { pos } = positionsOf(item);
        const inWindow = from.fromPos !== undefined && pos !== undefined && pos >= from.fromPos;
        if (Number(item.history_id) > from.since || inWindow) out.push(item);
        else if (
          from.fromPos === undefined ||
          pos === undefined ||
          pos + ID_TO_STAMP_BOUND_MS < from.fromPos
        )
          behind = true;
      }
      if (behind) break;
    }
    return out;
  }
}
