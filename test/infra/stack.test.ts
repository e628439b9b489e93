import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HTTP_API_LIMITS } from '../../infra/constructs/http-api.ts';
import { ALARMS } from '../../infra/constructs/monitoring.ts';
import { WS_API_LIMITS } from '../../infra/constructs/websocket-api.ts';
import { InferenceInstancesStack } from '../../infra/stack.ts';
import { AUTH_ENV, SCOPES } from '../../shared/config/auth.ts';
import { routes } from '../../shared/routes/index.ts';
import { FALLBACK_HANDLER, routeKeysOf } from '../../shared/routes/define.ts';
import { RouteTable } from '../../shared/routes/match.ts';
import type { Access } from '../../shared/config/tables.ts';
import { streamConsumers } from '../../shared/config/streams.ts';
import { migrations } from '../../shared/config/migrations.ts';
import { tables, type TableDef, type TableName } from '../../shared/config/tables.ts';
import { buckets, type BucketName } from '../../shared/config/buckets.ts';
import { WS_ENDPOINT_ENV, WS_ROUTE_SELECTION, wsRoutes } from '../../shared/config/ws-routes.ts';

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  DependsOn?: string[];
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
const apiRef = (api: IConstruct) => JSON.stringify({ Ref: idOf(api) });
const routesOf = (api: IConstruct) =>
  ofType('AWS::ApiGatewayV2::Route').filter(
    (r) => JSON.stringify(r.Properties.ApiId) === apiRef(api),
  );
const stagesOf = (api: IConstruct) =>
  ofType('AWS::ApiGatewayV2::Stage').filter(
    (r) => JSON.stringify(r.Properties.ApiId) === apiRef(api),
  );
const envOf = (fn: IFunction) =>
  (resourceOf(fn).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
/** Statements of the identity policies attached to a function's role. */
function statementsOf(fn: IFunction): Statement[] {
  const roleRef = JSON.stringify({ Ref: idOf(fn.role!) });
  return ofType('AWS::IAM::Policy')
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleRef))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
/** Functions that post to WebSocket connections: every WS route handler and `websocket` consumers. */
function postingFunctions(): IFunction[] {
  const consumers = stack.streamConsumers.filter((_, i) => streamConsumers[i]!.websocket);
  return [...stack.ws.functions.values(), ...consumers.map((c) => c.fn)];
}

/** Every function the stack should have, with the kind and grants the config declares. */
function expectedFunctions(): { name: string; fn: IFunction; timeout: number; grants: Grants }[] {
  const http = [...stack.http.functions].map(([handler, fn]) => ({
    name: handler,
    fn,
    timeout: 10,
    grants: expectedHttpGrants(handler),
  }));
  const ws = wsRoutes.map((route) => ({
    name: route.handler,
    fn: stack.ws.functions.get(route.routeKey)! as IFunction,
    timeout: 29,
    grants: route.tables,
  }));
  const consumers = stack.streamConsumers.map((c, i) => ({
    name: streamConsumers[i]!.handler,
    fn: c.fn,
    timeout: 60,
    grants: streamConsumers[i]!.tables,
  }));
  const migrators = stack.migrations.map((m, i) => ({
    name: migrations[i]!.handler,
    fn: m.fn,
    timeout: 900,
    grants: migrations[i]!.tables,
  }));
  return [...http, ...ws, ...consumers, ...migrators];
}

/** DynamoDB actions each table gets in a role's identity policies (stream ARNs separately). */
function tableActionsOf(fn: IFunction): { tables: Map<TableName, Set<string>>; streams: string[] } {
  const statements = statementsOf(fn);
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

  it('expires items through the declared TTL attribute (meta, connections) and nowhere else', () => {
    for (const name of tableNames) {
      const def: TableDef = tables[name];
      const ttl = resourceOf(stack.data.byName[name]).Properties.TimeToLiveSpecification;
      expect(ttl, name).toEqual(
        def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : undefined,
      );
    }
    expect(tables.connections.ttlAttribute).toBe('expires_at');
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
    for (const route of routesOf(stack.http.api)) {
      const target = route.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = resources[target['Fn::Join'][1][1].Ref]!;
      expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
      const uri = integration.Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] };
      out.set(route.Properties.RouteKey as string, uri['Fn::GetAtt'][0]);
    }
    return out;
  }

  it('has one route per route key of the table (GET brings HEAD), wired to its handler, plus the shadows and $default', () => {
    const targets = routeTargets();
    const keys = routes.flatMap(routeKeysOf);
    const shadows = new RouteTable(routes).shadows().map((r) => `${r.method} ${r.path}`);
    for (const route of routes) {
      const fn = stack.http.functions.get(route.handler)!;
      for (const key of routeKeysOf(route)) expect(targets.get(key), key).toBe(idOf(fn));
    }
    expect(targets.get('HEAD /api/instances/{id}')).toBe(targets.get('GET /api/instances/{id}'));
    const fallback = idOf(stack.http.functions.get(FALLBACK_HANDLER)!);
    expect(targets.get('$default')).toBe(fallback);
    // The CORS preflight route (corsOrigins are set here) also goes to the fallback.
    expect(targets.get('OPTIONS /{proxy+}')).toBe(fallback);
    // A literal path another method's parameterised route would swallow goes to the fallback.
    expect(shadows).toContain('GET /api/instances/batch-delete');
    for (const key of shadows) expect(targets.get(key), key).toBe(fallback);
    expect(targets.size).toBe(keys.length + shadows.length + 2);
  });

  it('creates one function per distinct handler', () => {
    const handlers = new Set([...routes.map((r) => r.handler), FALLBACK_HANDLER]);
    expect(new Set(stack.http.functions.keys())).toEqual(handlers);
    // Besides ours: CDK's custom-resource providers (the console's upload and config.json,
    // emptying the console bucket on delete, running the migration triggers).
    const deployers = Object.keys(resources).filter(
      (id) => /^(Custom|AWSCDK)/.test(id) && resources[id]!.Type === 'AWS::Lambda::Function',
    );
    expect(deployers.length).toBeGreaterThan(1);
    expect(ofType('AWS::Lambda::Function')).toHaveLength(
      handlers.size +
        wsRoutes.length +
        streamConsumers.length +
        migrations.length +
        deployers.length,
    );
  });

  it('throttles and access-logs the default stage as JSON', () => {
    const [stage, ...others] = stagesOf(stack.http.api);
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
        MaximumRetryAttempts: def.retryAttempts ?? -1,
        MaximumRecordAgeInSeconds: def.maxRecordAgeSeconds,
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

describe('migrations', () => {
  it('run each declared migration once per change of its function, waiting for its result', () => {
    expect(stack.migrations).toHaveLength(migrations.length);
    for (const m of stack.migrations) {
      const trigger = resourceOf(m.trigger);
      expect(trigger.Type).toBe('Custom::Trigger');
      // The function's current version: a new one (and a new run) whenever code or config change.
      const version = ofType('AWS::Lambda::Version').find(
        (v) => JSON.stringify(v.Properties.FunctionName) === JSON.stringify({ Ref: idOf(m.fn) }),
      );
      expect(version).toBeDefined();
      const versionId = Object.keys(resources).find((id) => resources[id] === version)!;
      expect(trigger.Properties).toMatchObject({
        HandlerArn: { Ref: versionId },
        InvocationType: 'RequestResponse',
        Timeout: String(900_000),
        ExecuteOnHandlerChange: true,
      });
    }
  });

  it('run after the code that writes the new shape: every API and stream function', () => {
    const writers = [
      ...stack.http.functions.values(),
      ...stack.ws.functions.values(),
      ...stack.streamConsumers.map((c) => c.fn),
    ];
    for (const m of stack.migrations) {
      const dependsOn = new Set(resourceOf(m.trigger).DependsOn);
      for (const fn of writers) expect(dependsOn.has(idOf(fn)), fn.node.path).toBe(true);
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

describe('WebSocket API', () => {
  const wsApi = () => resourceOf(stack.ws.api);

  it('selects routes by the body action and has exactly the declared route keys', () => {
    expect(wsApi().Properties).toMatchObject({
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: WS_ROUTE_SELECTION,
    });
    const keys = routesOf(stack.ws.api).map((r) => r.Properties.RouteKey);
    expect(keys.sort()).toEqual(wsRoutes.map((r) => r.routeKey).sort());
  });

  it('wires each route to its own handler function', () => {
    for (const route of routesOf(stack.ws.api)) {
      const target = route.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = resources[target['Fn::Join'][1][1].Ref]!;
      const fn = stack.ws.functions.get(route.Properties.RouteKey as string)!;
      expect(JSON.stringify(integration.Properties.IntegrationUri)).toContain(`"${idOf(fn)}"`);
    }
    const handlers = [...stack.ws.functions.values()].map((fn) => idOf(fn));
    expect(new Set(handlers).size).toBe(wsRoutes.length);
  });

  it('throttles the stage, deploys it automatically and access-logs it as JSON', () => {
    const [stage, ...others] = stagesOf(stack.ws.api);
    expect(others).toHaveLength(0);
    expect(stage!.Properties).toMatchObject({
      StageName: WS_API_LIMITS.stageName,
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingBurstLimit: WS_API_LIMITS.throttle.burstLimit,
        ThrottlingRateLimit: WS_API_LIMITS.throttle.rateLimit,
      },
    });
    const logSettings = stage!.Properties.AccessLogSettings as {
      DestinationArn: { 'Fn::GetAtt': [string, string] };
      Format: string;
    };
    expect(JSON.parse(logSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      connectionId: '$context.connectionId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
    const logGroup = resources[logSettings.DestinationArn['Fn::GetAtt'][0]]!;
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  it('sets the account-wide API Gateway log role before the stage that needs it', () => {
    const [account, ...others] = ofType('AWS::ApiGateway::Account');
    expect(others).toHaveLength(0);
    expect(account!.DeletionPolicy).toBe('Retain');
    const accountId = Object.keys(resources).find((k) => resources[k] === account)!;
    expect(stagesOf(stack.ws.api)[0]!.DependsOn).toContain(accountId);
  });

  it('lets every posting function reach the management endpoint of this stage', () => {
    const callbackUrl = {
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: idOf(stack.ws.api) },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          `/${WS_API_LIMITS.stageName}`,
        ],
      ],
    };
    const broadcaster = stack.streamConsumers.find((_, i) => streamConsumers[i]!.websocket);
    expect(broadcaster).toBeDefined();
    for (const fn of postingFunctions()) {
      expect(envOf(fn)[WS_ENDPOINT_ENV], fn.node.path).toEqual(callbackUrl);
    }
  });

  it('scopes execute-api:ManageConnections to POST on this API and stage, for posters only', () => {
    const expected = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':execute-api:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':',
          { Ref: idOf(stack.ws.api) },
          `/${WS_API_LIMITS.stageName}/POST/@connections/*`,
        ],
      ],
    };
    const posters = new Set(postingFunctions().map((fn) => idOf(fn)));
    for (const { name, fn } of expectedFunctions()) {
      const manage = statementsOf(fn).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('execute-api:')),
      );
      if (!posters.has(idOf(fn))) {
        expect(manage, name).toEqual([]);
        continue;
      }
      expect(manage, name).toHaveLength(1);
      expect(actionsOf(manage[0]!)).toEqual(['execute-api:ManageConnections']);
      expect(manage[0]!.Resource, name).toEqual(expected);
    }
  });

  it('gives $connect the JWT settings it verifies ?token= with, and no other route', () => {
    const connect = stack.ws.functions.get('$connect')!;
    expect(envOf(connect)).toMatchObject({
      [AUTH_ENV.issuer]: expect.anything(),
      [AUTH_ENV.audience]: expect.anything(),
    });
    for (const [routeKey, fn] of stack.ws.functions) {
      if (routeKey !== '$connect') expect(envOf(fn)[AUTH_ENV.issuer], routeKey).toBeUndefined();
    }
  });

  it('outputs the wss:// URL of the stage', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const url = JSON.stringify(outputs.WebSocketUrl?.Value);
    expect(url).toContain('wss://');
    expect(url).toContain(`/${WS_API_LIMITS.stageName}`);
  });
});

describe('auth', () => {
  const authorizers = () => ofType('AWS::ApiGatewayV2::Authorizer');

  it('puts one JWT authorizer on every HTTP route but public ones, $default included', () => {
    const [authorizer, ...others] = authorizers();
    expect(others).toHaveLength(0);
    expect(authorizer!.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    const authorizerId = Object.keys(resources).find((k) => resources[k] === authorizer)!;
    const publicKeys = new Set(routes.filter((r) => r.public).flatMap(routeKeysOf));
    const guarded = routesOf(stack.http.api).filter(
      (r) =>
        !(r.Properties.RouteKey as string).startsWith('OPTIONS ') &&
        !publicKeys.has(r.Properties.RouteKey as string),
    );
    expect(guarded.map((r) => r.Properties.RouteKey)).toContain('$default');
    const shadows = new RouteTable(routes).shadows().length;
    expect(guarded).toHaveLength(
      routes.flatMap(routeKeysOf).length + shadows - publicKeys.size + 1,
    );
    for (const route of guarded) {
      expect(route.Properties, route.Properties.RouteKey as string).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      });
    }
  });

  it('leaves only the liveness check (GET/HEAD /health) public: no authorizer, no table', () => {
    const open = routesOf(stack.http.api).filter((r) =>
      ['GET /health', 'HEAD /health'].includes(r.Properties.RouteKey as string),
    );
    expect(open).toHaveLength(2);
    for (const route of open) {
      expect(route.Properties.AuthorizationType).toBe('NONE');
      expect(route.Properties.AuthorizerId).toBeUndefined();
    }
    expect(routes.filter((r) => r.public).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /health',
    ]);
    expect(routes.find((r) => r.public)!.tables).toEqual({});
  });

  it('leaves CORS preflight (OPTIONS) without an authorizer', () => {
    const options = routesOf(stack.http.api).filter((r) =>
      (r.Properties.RouteKey as string).startsWith('OPTIONS '),
    );
    expect(options.map((r) => r.Properties.RouteKey)).toEqual(['OPTIONS /{proxy+}']);
    for (const route of options) {
      expect(route.Properties.AuthorizationType).toBe('NONE');
      expect(route.Properties.AuthorizerId).toBeUndefined();
    }
  });

  it('creates a Cognito issuer when no jwtIssuer is given and trusts its clients', () => {
    const [pool, ...others] = ofType('AWS::Cognito::UserPool');
    expect(others).toHaveLength(0);
    expect(pool!.Properties).toMatchObject({
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: true } },
    });
    const poolId = idOf(stack.auth.cognito!.userPool);
    const config = authorizers()[0]!.Properties.JwtConfiguration as {
      Issuer: unknown;
      Audience: unknown[];
    };
    expect(JSON.stringify(config.Issuer)).toContain('https://cognito-idp.');
    expect(JSON.stringify(config.Issuer)).toContain(JSON.stringify({ Ref: poolId }));
    expect(config.Audience).toEqual(stack.auth.cognito!.clients.map((c) => ({ Ref: idOf(c) })));
  });

  it('declares the scopes as a resource server and as groups of the same names', () => {
    const [server] = ofType('AWS::Cognito::UserPoolResourceServer');
    const scopes = (server!.Properties.Scopes as { ScopeName: string }[]).map(
      (s) => `${server!.Properties.Identifier as string}:${s.ScopeName}`,
    );
    expect(scopes.sort()).toEqual(Object.values(SCOPES).sort());
    const groups = ofType('AWS::Cognito::UserPoolGroup').map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(Object.values(SCOPES).sort());
  });

  it('lets only the machine client request instance scopes', () => {
    const machine = resourceOf(stack.auth.cognito!.machineClient).Properties;
    expect(machine).toMatchObject({
      AllowedOAuthFlows: ['client_credentials'],
      GenerateSecret: true,
    });
    expect((machine.AllowedOAuthScopes as unknown[]).length).toBe(Object.keys(SCOPES).length);
    const dashboard = resourceOf(stack.auth.cognito!.dashboardClient).Properties;
    expect(dashboard).toMatchObject({ AllowedOAuthFlows: ['code'] });
    expect(dashboard.AllowedOAuthScopes).toEqual(['openid', 'email']);
  });
});

describe('execution roles', () => {
  it('replace the AWS managed basic execution role with writes to the own log group only', () => {
    for (const { name, fn } of expectedFunctions()) {
      const role = resourceOf(fn.role!);
      expect(role.Properties.ManagedPolicyArns, name).toBeUndefined();
      const logGroup = (resourceOf(fn).Properties.LoggingConfig as { LogGroup: { Ref: string } })
        .LogGroup.Ref;
      expect(role.Properties.Policies, name).toEqual([
        {
          PolicyName: 'OwnLogGroup',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
              },
            ],
          },
        },
      ]);
    }
  });
});

describe('alarms', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm');
  const topicRef = () => ({ Ref: idOf(stack.monitoring.topic) });

  it('send every alarm and its recovery to the encrypted, TLS-only topic', () => {
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef()]);
      expect(alarm.Properties.OKActions).toEqual([topicRef()]);
    }
    const topic = resourceOf(stack.monitoring.topic);
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const [policy] = ofType('AWS::SNS::TopicPolicy');
    expect(policy!.Properties.PolicyDocument).toMatchObject({
      Statement: expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
        }),
      ]),
    });
    const key = Object.values(resources).find((r) => r.Type === 'AWS::KMS::Key')!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
  });

  it('watch HTTP 5xx at the SPEC threshold', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: idOf(stack.http.api) } }],
      Statistic: 'Sum',
      Threshold: ALARMS.http5xx.threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('count 429s from the HTTP access log and alarm on them', () => {
    const [filter] = ofType('AWS::Logs::MetricFilter');
    expect(filter!.Properties).toMatchObject({
      FilterPattern: '{ $.status = "429" }',
      LogGroupName: { Ref: idOf(stack.http.accessLogs) },
    });
    const [transformation] = filter!.Properties.MetricTransformations as {
      MetricName: string;
      MetricNamespace: string;
    }[];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: transformation!.MetricNamespace,
      MetricName: transformation!.MetricName,
      Threshold: ALARMS.httpThrottled.threshold,
    });
  });

  it('watch the iterator age of every stream consumer', () => {
    for (const consumer of stack.streamConsumers) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: idOf(consumer.fn) } }],
        Statistic: 'Maximum',
        Threshold: ALARMS.iteratorAge.thresholdMs,
        EvaluationPeriods: ALARMS.iteratorAge.evaluationPeriods,
      });
    }
  });

  it('watch errors of every function', () => {
    for (const { name, fn } of expectedFunctions()) {
      const matching = alarms().filter(
        (a) =>
          a.Properties.MetricName === 'Errors' &&
          JSON.stringify(a.Properties.Dimensions) ===
            JSON.stringify([{ Name: 'FunctionName', Value: { Ref: idOf(fn) } }]),
      );
      expect(matching, name).toHaveLength(1);
    }
  });
});

describe('buckets', () => {
  const bucketNames = Object.keys(buckets) as BucketName[];

  it('creates each declared bucket encrypted, private, TLS-only, access-logged, expiring as declared', () => {
    for (const name of bucketNames) {
      const props = resourceOf(stack.buckets.byName[name]).Properties;
      expect(props.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      });
      expect(props.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(props.LoggingConfiguration).toBeDefined();
      expect(props.LifecycleConfiguration).toEqual({
        Rules: [
          expect.objectContaining({
            ExpirationInDays: buckets[name].expireAfterDays,
            AbortIncompleteMultipartUpload: {
              DaysAfterInitiation: buckets[name].abortIncompleteUploadsAfterDays,
            },
            Status: 'Enabled',
          }),
        ],
      });
      const policies = ofType('AWS::S3::BucketPolicy').filter(
        (p) =>
          JSON.stringify(p.Properties.Bucket) ===
          JSON.stringify({ Ref: idOf(stack.buckets.byName[name]) }),
      );
      expect(JSON.stringify(policies)).toContain('aws:SecureTransport');
    }
  });

  it('passes the bucket to exactly the functions that declare it, writes only where declared', () => {
    const declared = new Map<IFunction, Partial<Record<BucketName, Access>>>();
    for (const [handler, fn] of stack.http.functions) {
      const merged: Partial<Record<BucketName, Access>> = {};
      for (const r of routes.filter((x) => x.handler === handler)) {
        for (const [b, a] of Object.entries(r.buckets ?? {}) as [BucketName, Access][])
          if (merged[b] !== 'write') merged[b] = a;
      }
      declared.set(fn, merged);
    }
    stack.streamConsumers.forEach((c, i) => declared.set(c.fn, streamConsumers[i]!.buckets ?? {}));
    for (const [fn, grants] of declared) {
      const env = envOf(fn);
      for (const name of bucketNames) {
        const s3Actions = statementsOf(fn)
          .filter((s) => JSON.stringify(s.Resource).includes(idOf(stack.buckets.byName[name])))
          .flatMap(actionsOf);
        if (!grants[name]) {
          expect(env[buckets[name].envVar], fn.node.path).toBeUndefined();
          expect(s3Actions, fn.node.path).toEqual([]);
          continue;
        }
        expect(env[buckets[name].envVar], fn.node.path).toEqual({
          Ref: idOf(stack.buckets.byName[name]),
        });
        expect(
          s3Actions.some((a) => a.startsWith('s3:PutObject')),
          fn.node.path,
        ).toBe(grants[name] === 'write');
      }
    }
  });
});
