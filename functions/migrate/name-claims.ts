/**
 * Gives every instance written under older name-claim rules every claim of its name
 * (shared/repo/name-claim-migration.ts). Invoked after a deploy by the stack's trigger and at
 * the start of the local stack on kept data (shared/config/migrations.ts).
 */
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { Logger } from '../../shared/log.ts';
import { SERVICE_NAME } from '../../shared/config/service.ts';
import {
  migrateNameClaims,
  type NameClaimMigration,
} from '../../shared/repo/name-claim-migration.ts';

const client = createDocumentClient();
const tables = tableNamesFromEnv('instances', 'meta');
const logger = new Logger({ service: SERVICE_NAME, persistentKeys: { migration: 'NameClaims' } });

/**
 * Instances written while a pass runs are left for the next pass; a few passes settle any
 * realistic traffic, and what is still moving after them is logged, not failed: failing would
 * roll the whole deploy back over instances that work as they are.
 */
const PASSES = 5;

export interface NameClaimsResult {
  migrated: number;
  collisions: NameClaimMigration['collisions'];
  /** Still changing after the last pass: the next deploy or local start moves them. */
  unsettled: number[];
  passes: number;
}

export const handler = async (): Promise<NameClaimsResult> => {
  const result: NameClaimsResult = { migrated: 0, collisions: [], unsettled: [], passes: 0 };
  do {
    const pass = await migrateNameClaims(client, tables);
    result.passes++;
    result.migrated += pass.migrated;
    // Each pass rescans every unmigrated item, so only the last pass's collisions are current.
    result.collisions = pass.collisions;
    result.unsettled = pass.retry;
  } while (result.unsettled.length > 0 && result.passes < PASSES);
  if (result.collisions.length > 0 || result.unsettled.length > 0)
    logger.warn('name claims: instances left on their old claims', { ...result });
  else if (result.migrated > 0) logger.info('name claims migrated', { ...result });
  else logger.debug('name claims: nothing to migrate', { ...result });
  return result;
};
