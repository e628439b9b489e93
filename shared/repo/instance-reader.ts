/**
 * Reading instances by id. The base of InstanceRepository (./instances.ts), on its own so a
 * handler that only reads (get, list, restore preview) does not bundle the write path: the
 * name claims with their look-alike table (./name-claim.ts), transactions, patching.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../aws/batch-get.ts';
import type { TableNames } from '../aws/dynamo.ts';
import type { Instance } from '../domain/instance.ts';
import { notFound } from '../domain/errors.ts';
import { isTombstone, toInstance, type StoredItem } from './items.ts';

export class InstanceReader {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    /** Readers use `instances`; `meta` is there for the writers that extend this class. */
    protected readonly tables: Pick<TableNames, 'instances'> & Partial<Pick<TableNames, 'meta'>>,
  ) {}

  async get(id: number): Promise<Instance | undefined> {
    const item = await this.getItem(id);
    return item && !isTombstone(item as unknown as Record<string, unknown>)
      ? toInstance(item as unknown as Record<string, unknown>)
      : undefined;
  }

  async getOrThrow(id: number): Promise<Instance> {
    const found = await this.get(id);
    if (!found) throw notFound(`Instance ${id} not found`, { id });
    return found;
  }

  /** Strongly consistent read of the stored item, tombstones included. */
  async getItem(id: number): Promise<StoredItem | undefined> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tables.instances, Key: { id }, ConsistentRead: true }),
    );
    return res.Item as StoredItem | undefined;
  }

  /** Eventually consistent multi-get in the order of `ids`; missing and deleted ids are skipped. */
  async getMany(ids: readonly number[]): Promise<Instance[]> {
    const items = await batchGetAll(
      this.client,
      this.tables.instances,
      ids.map((id) => ({ id })),
    );
    const found = new Map(
      items
        .filter((item) => !isTombstone(item))
        .map((item) => [item.id as number, toInstance(item)]),
    );
    return ids.flatMap((id) => found.get(id) ?? []);
  }
}
