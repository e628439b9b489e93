import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import type { MigrationDef } from '../../shared/config/migrations.ts';
import type { TableName } from '../../shared/config/tables.ts';
import { HandlerFunction, TIMEOUT } from './handler-function.ts';

export interface DataMigrationProps {
  readonly def: MigrationDef;
  readonly tables: Readonly<Record<TableName, ITable>>;
  /** What must be deployed first: the code that writes the new shape, so nothing is left behind. */
  readonly after: readonly Construct[];
}

/**
 * One entry of `migrations`: its function, run by a CDK trigger during every deploy that
 * changes the function (its code or configuration), after `after`. The trigger waits for the
 * result: a migration that throws fails the deploy, and CloudFormation rolls it back.
 */
export class DataMigration extends Construct {
  readonly fn: HandlerFunction;
  readonly trigger: triggers.Trigger;

  constructor(scope: Construct, id: string, { def, tables, after }: DataMigrationProps) {
    super(scope, id);
    this.fn = new HandlerFunction(this, 'Function', { handler: def.handler, kind: 'migration' });
    this.fn.bindTables(def.tables, tables);
    this.trigger = new triggers.Trigger(this, 'Trigger', {
      handler: this.fn,
      invocationType: triggers.InvocationType.REQUEST_RESPONSE,
      timeout: TIMEOUT.migration,
      executeAfter: [...after],
    });
  }
}
