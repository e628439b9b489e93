import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tables, type KeyDef, type TableDef, type TableName } from '../../shared/config/tables.ts';

const attribute = (key: KeyDef): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING,
});

const PROJECTION = {
  KEYS_ONLY: dynamodb.ProjectionType.KEYS_ONLY,
  ALL: dynamodb.ProjectionType.ALL,
} as const;

/**
 * Every table in `shared/config/tables.ts`, built from its declaration.
 *
 * `Table` (AWS::DynamoDB::Table) rather than `TableV2` (AWS::DynamoDB::GlobalTable): the product
 * is single-region, DynamoDB Local and the local runtime create plain tables, and cdk-nag's
 * DynamoDB rules (e.g. AwsSolutions-DDB3, point-in-time recovery) inspect `CfnTable` only; on a
 * GlobalTable they report "not applicable" and so would check nothing. Switching later means
 * replacing retained tables, so this is a deliberate choice, not a default.
 */
export class DataTables extends Construct {
  readonly byName: Readonly<Record<TableName, dynamodb.Table>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const entries = (Object.entries(tables) as [TableName, TableDef][]).map(
      ([name, def]) => [name, this.createTable(def)] as const,
    );
    this.byName = Object.fromEntries(entries) as Record<TableName, dynamodb.Table>;
  }

  private createTable(def: TableDef): dynamodb.Table {
    // No tableName: CloudFormation names the table, so stacks never collide and replacement works.
    const table = new dynamodb.Table(this, def.id, {
      partitionKey: attribute(def.partitionKey),
      sortKey: def.sortKey ? attribute(def.sortKey) : undefined,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Instances and their audit trail must survive a stack deletion or a bad refactor.
      removalPolicy: RemovalPolicy.RETAIN,
      stream: def.stream ? dynamodb.StreamViewType[def.stream] : undefined,
      timeToLiveAttribute: def.ttlAttribute,
    });
    for (const index of def.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: PROJECTION[index.projection],
      });
    }
    return table;
  }
}
