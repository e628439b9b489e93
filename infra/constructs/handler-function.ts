import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tables, type TableName } from '../../shared/config/tables.ts';
import type { Access } from '../../shared/config/routes.ts';
import { BUNDLING } from '../bundling.ts';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** The Lambda runtime and the esbuild target must move together. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Same name as the Powertools logger in shared/log.ts, so logs and metrics group together. */
export const SERVICE_NAME = 'inference-instances';

export type HandlerKind = 'http' | 'stream';

/** Stream batches of up to 100 records do sequential writes; an HTTP call must stay short. */
const TIMEOUT: Record<HandlerKind, Duration> = {
  http: Duration.seconds(10),
  stream: Duration.seconds(60),
};

export interface HandlerFunctionProps {
  /** Module path under `functions/` without extension, as in the route and stream tables. */
  readonly handler: string;
  readonly kind: HandlerKind;
}

/** `http/get-instance` → `HttpGetInstance`: construct ids follow the handler, not the route. */
export function constructIdOf(handler: string): string {
  return handler
    .split(/[/-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** A handler module from `functions/` with the project's Lambda defaults. */
export class HandlerFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id, {
      entry: join(PROJECT_ROOT, 'functions', `${props.handler}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      timeout: TIMEOUT[props.kind],
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      },
      // An explicit log group gets a retention without the deprecated logRetention custom resource.
      logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH }),
      // The same esbuild settings as the benchmark's bundles (infra/bundling.ts).
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLING.target,
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourcemap,
        sourcesContent: BUNDLING.sourcesContent,
        mainFields: [...BUNDLING.mainFields],
        banner: BUNDLING.banner,
        externalModules: [...BUNDLING.external],
        // Docker is not available (and not wanted): synth must use the local esbuild.
        forceDockerBundling: false,
      },
    });
  }

  /** Passes the table name through its env var and grants exactly the declared access. */
  bindTable(name: TableName, table: ITable, access: Access): void {
    this.addEnvironment(tables[name].envVar, table.tableName);
    if (access === 'write') table.grantReadWriteData(this);
    else table.grantReadData(this);
  }

  bindTables(
    grants: Partial<Record<TableName, Access>>,
    byName: Readonly<Record<TableName, ITable>>,
  ): void {
    for (const [name, access] of Object.entries(grants) as [TableName, Access][]) {
      this.bindTable(name, byName[name], access);
    }
  }
}
