/**
 * Data migrations, declared once. The CDK stack runs each after every deploy that changes its
 * function (a `Trigger`, infra/constructs/data-migration.ts), once the new API code is live;
 * the local stack runs each on every start over kept data (`--data-dir`). Both call the same
 * handler module, with the tables below.
 *
 * A migration must be idempotent and safe beside live traffic (deploys do not stop the API):
 * every write conditional, and a second run after a complete one a no-op.
 */
import type { Access, TableName } from './tables.ts';

export interface MigrationDef {
  readonly id: string;
  /** Module under `functions/`, without extension. */
  readonly handler: string;
  readonly tables: Partial<Record<TableName, Access>>;
}

export const migrations: readonly MigrationDef[] = [
  {
    // Instances written before names were claimed by both skeletons (shared/repo/name-claim.ts).
    id: 'NameClaims',
    handler: 'migrate/name-claims',
    tables: { instances: 'write', meta: 'write' },
  },
];
