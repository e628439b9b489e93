import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tables, type TableName } from '../../shared/config/tables.ts';
import type { Access } from '../../shared/config/tables.ts';
import { BUNDLING } from '../bundling.ts';
import { acknowledge, wildcardResourceFinding } from './nag.ts';
import type { IBucket } from 'aws-cdk-lib/aws-s3';

const S3_READ = ['s3:GetObject'];
const S3_WRITE = ['s3:PutObject', 's3:AbortMultipartUpload'];
import { buckets, type BucketGrants, type BucketName } from '../../shared/config/buckets.ts';
import { SERVICE_NAME } from '../../shared/config/service.ts';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** The Lambda runtime and the esbuild target must move together. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

export type HandlerKind = 'http' | 'ws' | 'stream' | 'migration';

/**
 * Stream batches of up to 100 records do sequential writes; an HTTP call must stay short. A
 * WebSocket `subscribe` may replay missed records one post at a time, so it gets the whole
 * 29 s API Gateway integration timeout. A data migration scans whole tables once per deploy:
 * Lambda's longest.
 */
export const TIMEOUT: Record<HandlerKind, Duration> = {
  http: Duration.seconds(10),
  ws: Duration.seconds(29),
  stream: Duration.seconds(60),
  migration: Duration.minutes(15),
};

/** Why no Lambda dead-letter queue (Serverless-LambdaDLQ): DLQs only apply to async invokes. */
const NO_DLQ_REASON: Record<HandlerKind, string> = {
  http: 'Invoked synchronously by the HTTP API; a Lambda DLQ only receives failed asynchronous invocations, and errors reach the caller and the 5xx alarm instead.',
  ws: 'Invoked synchronously by the WebSocket API; a Lambda DLQ only receives failed asynchronous invocations, and errors reach the client and the Lambda error alarm instead.',
  stream:
    'Invoked by a DynamoDB stream event source mapping, which ignores the function DLQ; failed batches go to the mapping on-failure SQS destination, which has its own alarm.',
  migration:
    'Invoked synchronously by the deploy-time trigger (RequestResponse); a failure fails the CloudFormation deployment, which rolls back, and a Lambda DLQ only receives failed asynchronous invocations.',
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
    // An explicit log group gets a retention without the deprecated logRetention custom resource.
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: logs.RetentionDays.ONE_MONTH,
    });
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
      logGroup,
      role: executionRole(scope, `${id}Role`, logGroup),
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
    acknowledge(this, 'Serverless-LambdaDLQ', NO_DLQ_REASON[props.kind]);
    acknowledge(
      this,
      'Serverless-LambdaTracing',
      'API Gateway HTTP and WebSocket APIs cannot start or propagate X-Ray traces (REST APIs only), and the handlers carry no X-Ray SDK; requests are followed by request id in the JSON access and function logs.',
    );
  }

  /** Passes the table name through its env var and grants exactly the declared access. */
  bindTable(name: TableName, table: ITable, access: Access): void {
    this.addEnvironment(tables[name].envVar, table.tableName);
    if (access === 'write') table.grantReadWriteData(this);
    else table.grantReadData(this);
    // The grant covers `<table>/index/*` whenever the table has indexes (CDK adds it then).
    if (tables[name].indexes.length > 0 && this.role) {
      acknowledge(
        this.role,
        wildcardResourceFinding(this, `${table.tableArn}/index/*`),
        `Query on the ${tables[name].id} table's global secondary indexes needs <table>/index/*; the indexes are exactly those declared in shared/config/tables.ts, hold only keys of the same table, and actions stay limited to the declared ${access} access.`,
      );
    }
  }

  /**
   * Passes the bucket name through its env var and grants exact object actions (no `s3:Get*`
   * style wildcards): read = GetObject (enough to presign a download), write adds the upload.
   */
  bindBucket(name: BucketName, bucket: IBucket, access: Access): void {
    this.addEnvironment(buckets[name].envVar, bucket.bucketName);
    const actions = access === 'write' ? [...S3_READ, ...S3_WRITE] : S3_READ;
    this.addToRolePolicy(
      new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects('*')] }),
    );
    if (this.role) {
      acknowledge(
        this.role,
        wildcardResourceFinding(this, `${bucket.bucketArn}/*`),
        `Export objects get per-operation keys chosen at run time, so object access needs <bucket>/*; the bucket holds only the ${buckets[name].id} objects and expires them.`,
      );
    }
  }

  bindBuckets(
    grants: BucketGrants | undefined,
    byName: Readonly<Record<BucketName, IBucket>>,
  ): void {
    for (const [name, access] of Object.entries(grants ?? {}) as [BucketName, Access][]) {
      this.bindBucket(name, byName[name], access);
    }
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

/**
 * Replaces the AWS managed AWSLambdaBasicExecutionRole (logs:* on every log group) with a
 * role that may only write to the function's own log group; Lambda never needs
 * CreateLogGroup because the group exists before the function.
 */
function executionRole(scope: Construct, id: string, logGroup: logs.ILogGroup): iam.Role {
  return new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inlinePolicies: {
      OwnLogGroup: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [logGroup.logGroupArn],
          }),
        ],
      }),
    },
  });
}
