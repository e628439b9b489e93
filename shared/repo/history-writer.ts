/**
 * Writes history records and keeps the stats counters, exactly once per instance version:
 * the record is a conditional put on (instance_id, version), and when the change moves a
 * counter the put and the update of the instance's stats shard (shared/repo/stats.ts) are one
 * transaction, so a redelivered stream record changes nothing at all.
 */
import {
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { ALL_HISTORY_PK, historyShard } from '../config/index-keys.ts';
import type { TableNames } from '../aws/dynamo.ts';
import type { HistoryRecord, PendingRecord } from '../domain/history.ts';
import { statsShardUpdate } from './stats.ts';

export const HISTORY_COUNTER_KEY = 'COUNTER#history_id';

/**
 * Stored form: the record plus its index keys (sharded: `H#<n>` and `<day>#<n>`), and its
 * position (`pos`, epoch ms): when it became visible, which resume reads by
 * (shared/repo/history-position.ts).
 */
export function historyItem(r: HistoryRecord, now = Date.now()): Record<string, unknown> {
  return {
    ...r,
    pos: now,
    // The record's shard of the two single-partition indexes (shared/config/tables.ts).
    h_pk: `${ALL_HISTORY_PK}#${historyShard(r.history_id)}`,
    day: `${r.operation_timestamp.slice(0, 10)}#${historyShard(r.history_id)}`,
    ts_key: `${r.operation_timestamp}#${String(r.history_id).padStart(15, '0')}`,
  };
}

export class HistoryWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'history' | 'meta'>,
  ) {}

  /** Reserves `count` consecutive history ids with one atomic counter update. */
  async allocateIds(count: number): Promise<number> {
    const res = await this.client.send(
      new UpdateCommand({
        TableName: this.tables.meta,
        Key: { pk: HISTORY_COUNTER_KEY },
        UpdateExpression: 'ADD #value :n',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':n': count },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return (res.Attributes?.value as number) - count + 1;
  }

  /** Writes one record; returns false when that version was already recorded. */
  async write(
    record: PendingRecord,
    historyId: number,
    statsDelta: Record<string, number>,
  ): Promise<boolean> {
    const put = {
      TableName: this.tables.history,
      Item: historyItem({ ...record, history_id: historyId }),
      ConditionExpression: 'attribute_not_exists(instance_id)',
    };
    try {
      if (Object.keys(statsDelta).length === 0) {
        await this.client.send(new PutCommand(put));
      } else {
        const transaction = new TransactWriteCommand({
          TransactItems: [
            { Put: put },
            { Update: statsShardUpdate(this.tables.meta, record.instance_id, statsDelta) },
          ],
        });
        // Concurrent batches can still meet on one shard (or one instance's record): a
        // TransactionConflict is retried here.
        for (let attempt = 1; ; attempt++) {
          try {
            await this.client.send(transaction);
            break;
          } catch (err) {
            const conflict =
              err instanceof TransactionCanceledException &&
              err.CancellationReasons?.some((r) => r.Code === 'TransactionConflict');
            if (!conflict || attempt >= 8) throw err;
            await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
          }
        }
      }
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      if (
        err instanceof TransactionCanceledException &&
        err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return false;
      }
      throw err;
    }
  }
}
