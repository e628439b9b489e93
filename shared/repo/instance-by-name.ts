/**
 * Finding an instance by its name. Apart from InstanceRepository so the by-name route bundles
 * the look-alike table it needs (./name-claim.ts) without the write path.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { nameKey } from '../domain/fields.ts';
import type { Instance } from '../domain/instance.ts';
import { notFound } from '../domain/errors.ts';
import { InstanceReader } from './instance-reader.ts';
import { nameClaimKey } from './name-claim.ts';

export class InstanceByNameReader extends InstanceReader {
  /**
   * The instance with this name (compared as uniqueness compares it), through its name claim:
   * two key reads, no scan. A claim that names another spelling than asked for is no match.
   */
  async getByNameOrThrow(name: string): Promise<Instance> {
    if (!this.tables.meta) throw new Error('InstanceByNameReader needs the meta table');
    const claim = await this.client.send(
      new GetCommand({
        TableName: this.tables.meta,
        Key: { pk: nameClaimKey(name) },
        ConsistentRead: true,
      }),
    );
    const id = claim.Item?.instance_id as number | undefined;
    const found = id === undefined ? undefined : await this.get(id);
    if (!found || nameKey(found.name) !== nameKey(name))
      throw notFound(`No instance is named "${name}"`, { name });
    return found;
  }
}
