/**
 * The one-off move of instances written under older name-claim rules to every claim of their
 * name. It runs after each deploy that changes it (a CDK trigger, shared/config/migrations.ts)
 * and at each start of the local stack on kept data; both call functions/migrate/name-claims.ts.
 */
import {
  GetCommand,
  ScanCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../aws/dynamo.ts';
import type { TransactItem } from './instance-writer.ts';
import { legacyNameClaimKey, nameClaimKeys } from './name-claim.ts';

export interface NameClaimMigration {
  /** Instances that now hold every claim of their name (`nameClaimKeys`). */
  migrated: number;
  /** Instances left on their old claims because a look-alike holds one of the new ones. */
  collisions: { id: number; name: string; existing_id?: number }[];
  /** Instances that changed while being migrated: run again. */
  retry: number[];
}

/**
 * Moves instances written before their current claims to every claim of their name, one
 * transaction each: claim what is missing, record the claims on the item, free an old claim
 * the name no longer has. Items without `name_claim` hold `NAME#<NFKC, lower-cased>`; items
 * without `name_claim_cased` hold their folded skeleton's claim only. Until an instance is
 * moved it keeps working (its writes release the claims it holds, see items.ts
 * `heldClaimsOf`), but its name does not block every look-alike (`САТ` beside `CAT`).
 * Idempotent and safe beside live traffic: every step is conditional. A collision (two
 * look-alikes that both exist) is reported and left as it is; a rename of one of the two
 * resolves it.
 */
export async function migrateNameClaims(
  client: DynamoDBDocumentClient,
  tables: Pick<TableNames, 'instances' | 'meta'>,
): Promise<NameClaimMigration> {
  const out: NameClaimMigration = { migrated: 0, collisions: [], retry: [] };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tables.instances,
        FilterExpression:
          '(attribute_not_exists(name_claim) OR attribute_not_exists(name_claim_cased)) AND attribute_not_exists(deleted)',
        ProjectionExpression: 'id, #name, #version, name_claim',
        ExpressionAttributeNames: { '#name': 'name', '#version': 'version' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const { id, name, version, name_claim } = item as {
        id: number;
        name: string;
        version: number;
        name_claim?: string;
      };
      const held = [name_claim ?? legacyNameClaimKey(name)];
      const wanted = nameClaimKeys(name);
      // Complete already: a name with one claim, recorded (items of older names lack `name_claim`).
      if (name_claim !== undefined && wanted.length === 1 && wanted[0] === name_claim) continue;
      const claimed = wanted.filter((key) => !held.includes(key));
      const [claim, cased] = wanted;
      const items: TransactItem[] = [
        {
          Update: {
            TableName: tables.instances,
            Key: { id },
            UpdateExpression: `SET name_claim = :claim${cased ? ', name_claim_cased = :cased' : ''}`,
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: {
              ':claim': claim,
              ...(cased ? { ':cased': cased } : {}),
              ':version': version,
            },
          },
        },
        ...claimed.map((key) => ({
          Put: {
            TableName: tables.meta,
            Item: { pk: key, instance_id: id },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
        ...held
          .filter((key) => !wanted.includes(key))
          .map((key) => ({
            Delete: {
              TableName: tables.meta,
              Key: { pk: key },
              ConditionExpression: 'attribute_not_exists(pk) OR instance_id = :id',
              ExpressionAttributeValues: { ':id': id },
            },
          })),
      ];
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
        out.migrated++;
      } catch (err) {
        if (!(err instanceof TransactionCanceledException)) throw err;
        const taken = claimed.find(
          (_key, i) => err.CancellationReasons?.[1 + i]?.Code === 'ConditionalCheckFailed',
        );
        if (taken === undefined) {
          out.retry.push(id);
          continue;
        }
        const holder = await client.send(
          new GetCommand({ TableName: tables.meta, Key: { pk: taken }, ConsistentRead: true }),
        );
        const existing = holder.Item?.instance_id;
        out.collisions.push({
          id,
          name,
          ...(typeof existing === 'number' ? { existing_id: existing } : {}),
        });
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
