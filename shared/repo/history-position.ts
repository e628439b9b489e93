/**
 * A history record's position: the time (epoch ms) it was last made visible to subscribers.
 * The writer stamps it when it writes the record; whoever posts the record later than
 * `RESTAMP_AFTER_MS` after that stamp moves it forward first (shared/ws/resume-window.ts says
 * why). Positions only ever grow, so a resume read by position finds more, never less.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

export interface RecordKey {
  instance_id: number;
  version: number;
}

export class HistoryPositions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The record's position, or undefined for a record written before positions existed. */
  async of(key: RecordKey): Promise<number | undefined> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.table, Key: key, ProjectionExpression: 'pos' }),
    );
    const pos = res.Item?.pos;
    return typeof pos === 'number' ? pos : undefined;
  }

  /** Moves the record's position to `now` (never backwards); returns the position it has. */
  async restamp(key: RecordKey, now: number): Promise<number> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET pos = :now',
          ConditionExpression:
            'attribute_exists(instance_id) AND (attribute_not_exists(pos) OR pos < :now)',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return now;
    } catch (err) {
      // Already further on (another poster moved it), or the record is gone: keep what is there.
      if (err instanceof ConditionalCheckFailedException) return (await this.of(key)) ?? now;
      throw err;
    }
  }
}
