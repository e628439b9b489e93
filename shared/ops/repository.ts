/**
 * Operation persistence. The operation is one small item in the operations table (its stream
 * drives the worker); its id list is stored in chunk items in `meta` (≤ CHUNK_SIZE ids each),
 * so a checkpoint rewrites a few KB however many items the operation has, and the operation
 * stays far below DynamoDB's 400 KB item limit.
 *
 * Every state change is a conditional write on the state it was computed from: a checkpoint on
 * `next_chunk` (the chunk it finished), so a redelivered or duplicate chunk can never advance the
 * operation twice, and `processed` never goes backwards.
 */
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../aws/dynamo.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { sleep } from '../repo/instance-writer.ts';
import { isTerminal, type OperationItem } from './model.ts';

export const chunkKey = (operationId: string, chunk: number) => `OPCHUNK#${operationId}#${chunk}`;

/** Fields a checkpoint may set (everything else is left as it is). */
export type CheckpointPatch = Partial<
  Omit<
    OperationItem,
    'operation_id' | 'list_pk' | 'type' | 'actor' | 'request' | 'created_at' | 'seq'
  >
>;

export class OperationRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'operations'> & Partial<Pick<TableNames, 'meta'>>,
  ) {}

  private get meta(): string {
    if (!this.tables.meta) throw new Error('OperationRepository was built without the meta table');
    return this.tables.meta;
  }

  /** Stores the id chunks first, then the operation: the worker never sees one without them. */
  async create(op: OperationItem, chunks: readonly (readonly number[])[]): Promise<void> {
    const puts = chunks.map((ids, n) => ({
      PutRequest: {
        Item: { pk: chunkKey(op.operation_id, n), ids, expires_at: op.expires_at },
      },
    }));
    for (let i = 0; i < puts.length; i += 25) {
      let pending: Record<string, unknown>[] | undefined = puts.slice(i, i + 25);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(2000, 25 * 2 ** attempt) * Math.random());
        const res = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.meta]: pending as never } }),
        );
        pending = res.UnprocessedItems?.[this.meta] as Record<string, unknown>[] | undefined;
      }
    }
    await this.client.send(
      new PutCommand({
        TableName: this.tables.operations,
        Item: op,
        ConditionExpression: 'attribute_not_exists(operation_id)',
      }),
    );
  }

  async get(id: string, consistent = false): Promise<OperationItem | undefined> {
    const res = await this.client.send(
      new GetCommand({
        TableName: this.tables.operations,
        Key: { operation_id: id },
        ConsistentRead: consistent,
      }),
    );
    return res.Item as OperationItem | undefined;
  }

  async getOrThrow(id: string): Promise<OperationItem> {
    const op = await this.get(id);
    if (!op) throw notFound(`Operation ${id} not found`, { operation_id: id });
    return op;
  }

  /** The ids of one chunk (strongly consistent: it was written before the operation). */
  async chunk(id: string, n: number): Promise<number[]> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.meta, Key: { pk: chunkKey(id, n) }, ConsistentRead: true }),
    );
    if (!res.Item) throw new Error(`chunk ${n} of operation ${id} is missing`);
    return res.Item.ids as number[];
  }

  /**
   * Applies `patch` if the operation is still active and at chunk `expectedChunk`; false when
   * another writer got there first (the caller's work is then a duplicate and is dropped).
   */
  async checkpoint(id: string, expectedChunk: number, patch: CheckpointPatch): Promise<boolean> {
    const names: Record<string, string> = {
      '#next': 'next_chunk',
      '#status': 'status',
      '#seq': 'seq',
    };
    const values: Record<string, unknown> = {
      ':k': expectedChunk,
      ':pending': 'pending',
      ':running': 'running',
      ':one': 1,
    };
    const sets = Object.entries(patch)
      .filter(([, v]) => v !== undefined)
      .map(([k, v], i) => {
        names[`#f${i}`] = k;
        values[`:v${i}`] = v;
        return `#f${i} = :v${i}`;
      });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.operations,
          Key: { operation_id: id },
          UpdateExpression: `SET ${sets.join(', ')} ADD #seq :one`,
          ConditionExpression: '#next = :k AND #status IN (:pending, :running)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /**
   * Asks an active operation to stop before its next chunk. Idempotent: asking again, or
   * asking once it is cancelled, returns the operation as it is; a finished one is a 409.
   */
  async requestCancel(id: string, actor: string, now: Date): Promise<OperationItem> {
    try {
      const res = await this.client.send(
        new UpdateCommand({
          TableName: this.tables.operations,
          Key: { operation_id: id },
          UpdateExpression:
            'SET cancel_requested = :t, cancel_requested_by = :by, cancel_requested_at = :now, updated_at = :now ADD #seq :one',
          ConditionExpression:
            'attribute_exists(operation_id) AND #status IN (:pending, :running) AND attribute_not_exists(cancel_requested)',
          ExpressionAttributeNames: { '#status': 'status', '#seq': 'seq' },
          ExpressionAttributeValues: {
            ':t': true,
            ':by': actor,
            ':now': now.toISOString(),
            ':pending': 'pending',
            ':running': 'running',
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes as OperationItem;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const op = await this.get(id, true);
      if (!op) throw notFound(`Operation ${id} not found`, { operation_id: id });
      if (op.status === 'cancelled' || (op.cancel_requested && !isTerminal(op.status))) return op;
      throw conflict(`Operation ${id} already finished (${op.status})`, {
        operation_id: id,
        status: op.status,
      });
    }
  }
}
