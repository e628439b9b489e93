/**
 * A history record's positions (epoch ms), which resume reads by (shared/ws/resume-window.ts):
 * - `pos`: stamped by the writer when it writes the record, never changed;
 * - `late_pos`: set when the record is posted later than RESTAMP_AFTER_MS after its position,
 *   to the time of that post, and only ever moved forward. Only such records have it, so the
 *   `byLatePosition` index holds just the late ones.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { batchGetAll } from '../aws/batch-get.ts';

export interface RecordKey {
  instance_id: number;
  version: number;
}

/** Where a record stands: its writer stamp and, if it was posted late, the latest such post. */
export interface Positions {
  pos?: number | undefined;
  late_pos?: number | undefined;
}

const numberOr = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** The positions a stored item carries. */
export const positionsOf = (item: Record<string, unknown> | undefined): Positions => ({
  pos: numberOr(item?.pos),
  late_pos: numberOr(item?.late_pos),
});
const keyOf = (k: Record<string, unknown>) => `${String(k.instance_id)}#${String(k.version)}`;

/** The position the record was last made visible at (undefined: written before positions). */
export const latest = (p: Positions): number | undefined =>
  p.late_pos !== undefined ? Math.max(p.late_pos, p.pos ?? 0) : p.pos;

export class HistoryPositions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async of(key: RecordKey): Promise<Positions> {
    const res = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: key,
        ProjectionExpression: 'pos, late_pos',
      }),
    );
    return positionsOf(res.Item);
  }

  /** The positions of many records, by `instance_id#version`. */
  async ofMany(keys: readonly RecordKey[]): Promise<Map<string, Positions>> {
    const items = await batchGetAll(
      this.client,
      this.table,
      keys.map((k) => ({ instance_id: k.instance_id, version: k.version })),
      ['instance_id', 'version', 'pos', 'late_pos'],
    );
    return new Map(items.map((i) => [keyOf(i), positionsOf(i)]));
  }

  /** Marks the record posted late, at `now` (never backwards); returns its latest position. */
  async restamp(key: RecordKey, now: number): Promise<number> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET late_pos = :now',
          ConditionExpression:
            'attribute_exists(instance_id) AND (attribute_not_exists(late_pos) OR late_pos < :now)',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return now;
    } catch (err) {
      // Already further on (another poster moved it), or the record is gone: keep what is there.
      if (err instanceof ConditionalCheckFailedException) return latest(await this.of(key)) ?? now;
      throw err;
    }
  }
}

export { keyOf as positionKey };
