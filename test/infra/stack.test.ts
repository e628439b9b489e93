import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HTTP_API_LIMITS } from '../../infra/constructs/http-api.ts';
import { InferenceInstancesStack } from '../../infra/stack.ts';
import { fallbackRoute, routes, type Access } from '../../shared/config/routes.ts';
import { streamConsumers } from '../../shared/config/streams.ts';
import { tables, type TableDef, type TableName } from '../../shared/config/tables.ts';

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  Metadata?: Record<string, unknown>;
}
interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
}
type Grants = Partial<Record<TableName, Access>>;

const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const tableNames = Object.keys(tables) as TableName[];
const tableEnvVars = new Set<string>(Object.values(tables).map((t) => t.envVar));
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Union of the grants of all routes served by a handler; write wins, as in the config contract. */
function expectedHttpGrants(handler: string): Grants {
  const out: Grants = {};
  for (const route of routes.filter((r) => r.handler === handler)) {
    for (const [name, access] of Object.entries(route.tables) as [TableName, Access][]) {
      if (out[name] !== 'write') out[name] = access;
    }
  }
  return out;
}

let stack: InferenceInstancesStack;
let template: Template;
let resources: Record<string, CfnResource>;

const idOf = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
const resourceOf = (c: IConstruct) => resources[idOf(c)]!;
const tableId = (name: TableName) => idOf(stack.data.byName[name]);
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

/** Every function the stack should have, with the kind and grants the config declares. */
function expectedFunctions(): { name: string; fn: IFunction; timeout: number; grants: Grants }[] {
  const http = [...stack.http.functions].map(([handler, fn]) => ({
    name: handler,
    fn,
    timeout: 10,
    grants: expectedHttpGrants(handler),
  }));
  const consumers = stack.streamConsumers.map((c, i) => ({
    name: streamConsumers[i]!.handler,
    fn: c.fn,
    timeout: 60,
    grants: streamConsumers[i]!.tables,
  }));
  return [...http, ...consumers];
}

/** DynamoDB actions each table gets in a role's identity policies (stream ARNs separately). */
function tableActionsOf(fn: IFunction): { tables: Map<TableName, Set<string>>; streams: string[] } {
  const roleRef = { Ref: idOf(fn.role!) };
  const statements = ofType('AWS::IAM::Policy')
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(JSON.stringify(roleRef)))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const out = new Map<TableName, Set<string>>();
  const streams: string[] = [];
  for (const s of statements) {
    const dynamo = actionsOf(s).filter((a) => a.startsWith('dynamodb:'));
    if (dynamo.length === 0 || dynamo.every((a) => a === 'dynamodb:ListStreams')) continue;
    const target = JSON.stringify(s.Resource);
    for (const name of tableNames) {
      if (!target.includes(`"${tableId(name)}"`)) continue;
      if (target.includes('"StreamArn"')) streams.push(name);
      else out.set(name, new Set([...(out.get(name) ?? []), ...dynamo]));
    }
  }
  return { tables: out, streams };
}

beforeAll(() => {
  // Prepare / Act: one synthesis shared by every assertion. esbuild is skipped here (ten bundles
  // cost ~10-30 s and no assertion reads them); bundle.test.ts bundles a handler for real.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new InferenceInstancesStack(app, 'InferenceInstancesStack', {
    jwtAudience: [],
    corsOrigins: ['https://admin.example.com'],
  });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, CfnResource>;
}, 120_000);

describe('tables', () => {
  it('creates exactly the declared tables, CloudFormation-named and retained', () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(tableNames.length);
    for (const name of tableNames) {
      const table = resourceOf(stack.data.byName[name]);
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.TableName).toBeUndefined();
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  it('enables point-in-time recovery on every table', () => {
    for (const table of ofType('AWS::DynamoDB::Table')) {
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
    }
  });

  it('streams new and old images from the instances table only where declared', () => {
    expect(resourceOf(stack.data.byName.instances).Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    for (const name of tableNames) {
      const def: TableDef = tables[name];
      const spec = resourceOf(stack.data.byName[name]).Properties.StreamSpecification;
      expect(spec).toEqual(def.stream ? { StreamViewType: def.stream } : undefined);
    }
  });

  it('expires meta items through the declared TTL attribute', () => {
    expect(resourceOf(stack.data.byName.meta).Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expires_at',
      Enabled: true,
    });
    expect(
      resourceOf(stack.data.byName.instances).Properties.TimeToLiveSpecification,
    ).toBeUndefined();
  });

  it('builds keys and indexes with the declared names, keys and projections', () => {
    for (const name of tableNames) {
      const def: TableDef = tables[name];
      const props = resourceOf(stack.data.byName[name]).Properties;
      const keySchema = [{ AttributeName: def.partitionKey.name, KeyType: 'HASH' }];
      if (def.sortKey) keySchema.push({ AttributeName: def.sortKey.name, KeyType: 'RANGE' });
      expect(props.KeySchema).toEqual(keySchema);
      const indexes = (props.GlobalSecondaryIndexes ?? []) as unknown[];
      expect(indexes).toEqual(
        def.indexes.map((ix) => ({
          IndexName: ix.name,
          KeySchema: [
            { AttributeName: ix.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: ix.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: ix.projection },
        })),
      );
    }
  });
});

describe('HTTP API', () => {
  /** Route key → the function its integration invokes. */
  function routeTargets(): Map<string, string> {
    const out = new Map<string, string>();
    for (const route of ofType('AWS::ApiGatewayV2::Route')) {
      const target = route.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = resources[target['Fn::Join'][1][1].Ref]!;
      expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
      const uri = integration.Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] };
      out.set(route.Properties.RouteKey as string, uri['Fn::GetAtt'][0]);
    }
    return out;
  }

  it('has one route per route-table entry, wired to its handler, plus $default', () => {
    const targets = routeTargets();
    for (const route of routes) {
      const fn = stack.http.functions.get(route.handler)!;
      expect(targets.get(`${route.method} ${route.path}`)).toBe(idOf(fn));
    }
    expect(targets.get('$default')).toBe(idOf(stack.http.functions.get(fallbackRoute.handler)!));
    expect(targets.size).toBe(routes.length + 1);
  });

  it('creates one function per distinct handler', () => {
    const handlers = new Set([...routes.map((r) => r.handler), fallbackRoute.handler]);
    expect(new Set(stack.http.functions.keys())).toEqual(handlers);
    expect(ofType('AWS::Lambda::Function')).toHaveLength(handlers.size + streamConsumers.length);
  });

  it('throttles and access-logs the default stage as JSON', () => {
    const [stage, ...others] = ofType('AWS::ApiGatewayV2::Stage');
    expect(others).toHaveLength(0);
    expect(stage!.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingBurstLimit: HTTP_API_LIMITS.throttle.burstLimit,
        ThrottlingRateLimit: HTTP_API_LIMITS.throttle.rateLimit,
      },
    });
    const logSettings = stage!.Properties.AccessLogSettings as { Format: string };
    expect(JSON.parse(logSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      ip: '$context.identity.sourceIp',
      latency: '$context.responseLatency',
    });
  });

  it('answers CORS preflight for the configured origins only', () => {
    const [api] = ofType('AWS::ApiGatewayV2::Api');
    expect(api!.Properties.CorsConfiguration).toMatchObject({
      AllowOrigins: ['https://admin.example.com'],
      AllowMethods: expect.arrayContaining([...new Set(routes.map((r) => r.method))]),
    });
  });

  it('outputs the API URL and every table name', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.ApiUrl?.Value)).toContain('/api');
    for (const name of tableNames) {
      expect(outputs[`${tables[name].id}TableName`]?.Value).toEqual({ Ref: tableId(name) });
    }
  });
});

describe('functions', () => {
  it('run on Node.js 24, arm64, with the project defaults', () => {
    for (const { fn, timeout } of expectedFunctions()) {
      const props = resourceOf(fn).Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 1024,
        Timeout: timeout,
        Environment: {
          Variables: {
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: 'inference-instances',
          },
        },
      });
      const logGroup = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[logGroup]!.Properties.RetentionInDays).toBe(30);
    }
  });

  it('get the table env vars of exactly their declared tables', () => {
    for (const { name, fn, grants } of expectedFunctions()) {
      const env = (resourceOf(fn).Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      const tableEnv = Object.fromEntries(
        Object.entries(env).filter(([key]) => tableEnvVars.has(key)),
      );
      const expected = Object.fromEntries(
        (Object.keys(grants) as TableName[]).map((t) => [tables[t].envVar, { Ref: tableId(t) }]),
      );
      expect(tableEnv, name).toEqual(expected);
    }
  });
});

describe('stream consumers', () => {
  it('map each declared consumer with its batch, retry and failure settings', () => {
    streamConsumers.forEach((def, i) => {
      const consumer = stack.streamConsumers[i]!;
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [tableId(def.sourceTable), 'StreamArn'] },
        FunctionName: { Ref: idOf(consumer.fn) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: def.bisectBatchOnError,
        MaximumRetryAttempts: def.retryAttempts,
        BatchSize: def.batchSize,
        MaximumBatchingWindowInSeconds: def.maxBatchingWindowSeconds,
        StartingPosition: def.startingPosition,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [idOf(consumer.failures), 'Arn'] } },
        },
      });
    });
    expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(streamConsumers.length);
  });

  it('send failed batches to an encrypted, TLS-only queue with an alarm on it', () => {
    for (const consumer of stack.streamConsumers) {
      const queueId = idOf(consumer.failures);
      expect(resources[queueId]!.Properties.SqsManagedSseEnabled).toBe(true);
      const policy = ofType('AWS::SQS::QueuePolicy').find((p) =>
        JSON.stringify(p.Properties.Queues).includes(queueId),
      );
      expect(policy?.Properties.PolicyDocument).toMatchObject({
        Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
      });
      expect(resourceOf(consumer.failureAlarm).Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
  });
});

describe('IAM', () => {
  it('never grants "*" or "dynamodb:*", and allows no service wildcard', () => {
    const documents = Object.values(resources).flatMap((r) =>
      ['PolicyDocument', 'AssumeRolePolicyDocument']
        .map((key) => r.Properties[key] as { Statement: Statement[] } | undefined)
        .filter((d) => d !== undefined),
    );
    const statements = documents.flatMap((d) => d.Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      const actions = actionsOf(s);
      expect(actions).not.toContain('*');
      expect(actions).not.toContain('dynamodb:*');
      if (s.Effect === 'Allow') expect(actions.filter((a) => a.endsWith(':*'))).toEqual([]);
    }
  });

  it('grants each function exactly its declared tables, writes only where declared', () => {
    for (const { name, fn, grants } of expectedFunctions()) {
      const { tables: granted } = tableActionsOf(fn);
      expect([...granted.keys()].sort(), name).toEqual(Object.keys(grants).sort());
      for (const [table, actions] of granted) {
        expect(actions.has('dynamodb:GetItem'), `${name} → ${table}`).toBe(true);
        const writes = WRITE_ACTIONS.filter((a) => actions.has(a));
        expect(writes, `${name} → ${table}`).toEqual(
          grants[table] === 'write' ? WRITE_ACTIONS : [],
        );
      }
    }
  });

  it('gives a read-only handler no write action at all', () => {
    const { tables: granted } = tableActionsOf(stack.http.functions.get('http/get-instance')!);
    const actions = [...granted.values()].flatMap((s) => [...s]);
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => WRITE_ACTIONS.includes(a))).toEqual([]);
  });

  it('lets only stream consumers read a stream, and only their source table', () => {
    const consumerIds = new Set(stack.streamConsumers.map((c) => idOf(c.fn)));
    for (const { name, fn } of expectedFunctions()) {
      const { streams } = tableActionsOf(fn);
      const def = streamConsumers.find((c) => c.handler === name);
      expect(streams, name).toEqual(consumerIds.has(idOf(fn)) && def ? [def.sourceTable] : []);
    }
  });
});
