/**
 * Poison records: stream records a consumer cannot process however often it tries (a bug, or
 * data the code does not expect). They are kept whole in the meta table, where they do not
 * expire as the stream's records do after 24 h, until `npm run redrive` processes them again.
 */
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { TableNames } from '../aws/dynamo.ts';

const PREFIX = 'POISON#';

export interface QuarantinedRecord {
  pk: string;
  consumer: string;
  /** The stream record as Lambda delivered it, JSON (its images are in wire format). */
  record: string;
  reason: string;
  quarantined_at: string;
}

/** What a stream handler needs to set a record aside. */
export interface Quarantine {
  put(consumer: string, record: DynamoDBRecord, reason: string): Promise<void>;
}

export class QuarantineRepository implements Quarantine {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'meta'>,
  ) {}

  async put(consumer: string, record: DynamoDBRecord, reason: string): Promise<void> {
    const item: QuarantinedRecord = {
      pk: `${PREFIX}${consumer}#${record.eventID ?? record.dynamodb?.SequenceNumber}`,
      consumer,
      record: JSON.stringify(record),
      reason: reason.slice(0, 2_000),
      quarantined_at: new Date().toISOString(),
    };
    await this.client.send(new PutCommand({ TableName: this.tables.meta, Item: item }));
  }

  /** Every quarantined record of a consumer, oldest first. A scan: meta is small, redrive rare. */
  async list(consumer: string): Promise<QuarantinedRecord[]> {
    const items: QuarantinedRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.client.send(
        new ScanCommand({
          TableName: this.tables.meta,
          FilterExpression: 'begins_with(pk, :p)',
          ExpressionAttributeValues: { ':p': `${PREFIX}${consumer}#` },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      items.push(...((res.Items ?? []) as QuarantinedRecord[]));
      start = res.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => a.quarantined_at.localeCompare(b.quarantined_at));
  }

  /** Removes the item unless it was quarantined again meanwhile; true if removed. */
  async release(item: QuarantinedRecord): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tables.meta,
          Key: { pk: item.pk },
          ConditionExpression: 'quarantined_at = :t',
          ExpressionAttributeValues: { ':t': item.quarantined_at },
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }
}
