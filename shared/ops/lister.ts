/**
 * The recent-operations list (GET /api/operations). Apart from OperationRepository, so the
 * worker and the other operation routes bundle no list query schema or cursor codec.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { batchGetAll } from '../aws/batch-get.ts';
import type { TableNames } from '../aws/dynamo.ts';
import { ALL_OPERATIONS_PK, OPERATION_INDEX } from '../config/index-keys.ts';
import { cursorFields, decodeCursor, encodeCursor } from '../repo/cursor.ts';
import { PageBudget } from '../repo/page-budget.ts';
import type { OperationItem } from './model.ts';
import { invalidOperationCursor, type ListOperationsQuery } from './read-schemas.ts';

/** Keys one list page examines at most (filters by status/type apply after hydration). */
const MAX_LIST_KEYS = 1000;

export class OperationLister {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'operations'>,
  ) {}

  /** Recent operations, newest first (the KEYS_ONLY `byCreated` index, then BatchGet). */
  async list(
    q: ListOperationsQuery,
  ): Promise<{ items: OperationItem[]; next_cursor: string | null }> {
    let startKey = q.cursor !== undefined ? startKeyOf(q.cursor) : undefined;
    const items: OperationItem[] = [];
    const budget = new PageBudget();
    let examined = 0;
    let previous: Record<string, unknown> | undefined;
    for (;;) {
      const res = await this.query(startKey, Math.min(100, q.limit - items.length + 10));
      const keys = res.Items ?? [];
      const hydrated = await this.getMany(keys.map((k) => k.operation_id as string));
      let last: Record<string, unknown> | undefined;
      let stopped = false;
      for (const key of keys) {
        const op = hydrated.get(key.operation_id as string);
        const hit =
          op !== undefined &&
          (!q.status || op.status === q.status) &&
          (!q.type || op.type === q.type);
        // Each operation echoes its request (up to 64 KB): a page of large ones ends early, before
        // this one (the first always fits, so `previous` is set by then).
        if (hit && !budget.take(op)) return { items, next_cursor: cursorAfter(previous!) };
        examined++;
        last = previous = key;
        if (hit) items.push(op);
        if (items.length >= q.limit || examined >= MAX_LIST_KEYS) {
          stopped = true;
          break;
        }
      }
      const more = stopped ? last !== keys[keys.length - 1] || !!res.LastEvaluatedKey : false;
      if (stopped) return { items, next_cursor: more && last ? cursorAfter(last) : null };
      if (!res.LastEvaluatedKey) return { items, next_cursor: null };
      startKey = res.LastEvaluatedKey;
    }
  }

  private async query(startKey: Record<string, unknown> | undefined, limit: number) {
    try {
      return await this.client.send(
        new QueryCommand({
          TableName: this.tables.operations,
          IndexName: OPERATION_INDEX.byCreated,
          KeyConditionExpression: 'list_pk = :pk',
          ExpressionAttributeValues: { ':pk': ALL_OPERATIONS_PK },
          ScanIndexForward: false,
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
    } catch (err) {
      if (startKey && err instanceof Error && err.name === 'ValidationException') {
        throw invalidOperationCursor();
      }
      throw err;
    }
  }

  private async getMany(ids: readonly string[]): Promise<Map<string, OperationItem>> {
    const keys = ids.map((operation_id) => ({ operation_id }));
    const items = await batchGetAll(this.client, this.tables.operations, keys);
    return new Map(
      items.map((item) => [item.operation_id as string, item as unknown as OperationItem]),
    );
  }
}

/** A list cursor: the `byCreated` key (created_at, operation_id) of the last entry examined. */
const listCursor = z.object({ v: cursorFields.v, c: z.string(), o: z.string() });

const cursorAfter = (key: Record<string, unknown>): string =>
  encodeCursor(listCursor, {
    v: 1,
    c: key.created_at as string,
    o: key.operation_id as string,
  });

function startKeyOf(raw: string): Record<string, unknown> {
  const c = decodeCursor(listCursor, raw, invalidOperationCursor);
  return { list_pk: ALL_OPERATIONS_PK, created_at: c.c, operation_id: c.o };
}
