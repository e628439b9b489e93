import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import type { TableName } from '../../shared/config/tables.ts';
import {
  WS_ENDPOINT_ENV,
  WS_ROUTE_SELECTION,
  wsRoutes,
  type WsRouteDef,
} from '../../shared/config/ws-routes.ts';
import { constructIdOf, HandlerFunction } from './handler-function.ts';
import { acknowledge, wildcardResourceFinding } from './nag.ts';

/** Stage-wide limits in one place (they apply to connects and to every client message). */
export const WS_API_LIMITS = {
  stageName: 'live',
  throttle: { burstLimit: 200, rateLimit: 100 },
  accessLogRetention: logs.RetentionDays.ONE_MONTH,
} as const;

/**
 * Management API calls the functions make. Only PostToConnection is used (shared/ws/publisher.ts);
 * a gone connection is removed from the table, never through DELETE @connections.
 */
const MANAGEMENT_METHODS = ['POST'] as const;

/** WebSocket context variables (a different set from HTTP APIs), as JSON. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    eventType: '$context.eventType',
    routeKey: '$context.routeKey',
    connectionId: '$context.connectionId',
    status: '$context.status',
    ip: '$context.identity.sourceIp',
    integrationLatency: '$context.integration.latency',
    error: '$context.error.message',
  }),
);

export interface InstancesWebSocketApiProps {
  readonly tables: Readonly<Record<TableName, ITable>>;
  /** Environment of the `$connect` function, which verifies `?token=` itself (JWT_ISSUER…). */
  readonly connectEnvironment: Readonly<Record<string, string>>;
  /** Must exist before a stage with access logging (API Gateway's account-level log role). */
  readonly loggingPrerequisite?: IDependable;
}

/**
 * The WebSocket API from `wsRoutes`: one function per route, route selection on the body's
 * `action`, a throttled and access-logged stage, and posting rights for every function.
 */
export class InstancesWebSocketApi extends Construct {
  readonly api: apigw.WebSocketApi;
  readonly stage: apigw.WebSocketStage;
  readonly accessLogs: logs.LogGroup;
  /** Keyed by route key (`$connect`, `subscribe`, …). */
  readonly functions: ReadonlyMap<string, HandlerFunction>;

  constructor(scope: Construct, id: string, props: InstancesWebSocketApiProps) {
    super(scope, id);
    this.api = new apigw.WebSocketApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-ws`,
      description: 'Inference Instances live updates',
      routeSelectionExpression: WS_ROUTE_SELECTION,
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: WS_API_LIMITS.accessLogRetention,
    });
    this.stage = new apigw.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: WS_API_LIMITS.stageName,
      autoDeploy: true,
      throttle: WS_API_LIMITS.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });
    if (props.loggingPrerequisite) this.stage.node.addDependency(props.loggingPrerequisite);

    const functions = new Map<string, HandlerFunction>();
    for (const route of wsRoutes) {
      const fn = this.routeFunction(route, props);
      if (route.routeKey === '$connect') {
        for (const [key, value] of Object.entries(props.connectEnvironment)) {
          fn.addEnvironment(key, value);
        }
      }
      functions.set(route.routeKey, fn);
    }
    this.functions = functions;
  }

  /**
   * Lets a function post to this stage's connections: the callback URL (https, not wss) in
   * WS_MANAGEMENT_ENDPOINT and execute-api:ManageConnections on
   * `<api>/<stage>/POST/@connections/*` only. CDK's grantManageConnections would allow every
   * stage and method of the API.
   */
  allowPosting(fn: HandlerFunction): void {
    fn.addEnvironment(WS_ENDPOINT_ENV, this.stage.callbackUrl);
    const resources = MANAGEMENT_METHODS.map((method) =>
      Stack.of(this).formatArn({
        service: 'execute-api',
        resource: this.api.apiId,
        resourceName: `${this.stage.stageName}/${method}/@connections/*`,
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['execute-api:ManageConnections'], resources }),
    );
    for (const arn of resources) {
      acknowledge(
        fn.role!,
        wildcardResourceFinding(fn, arn),
        'Connection ids are assigned by API Gateway at connect time, so the resource must end in @connections/*; it is pinned to this API, this stage and the POST method (PostToConnection) only.',
      );
    }
  }

  private routeFunction(route: WsRouteDef, props: InstancesWebSocketApiProps): HandlerFunction {
    const fn = new HandlerFunction(this, constructIdOf(route.handler), {
      handler: route.handler,
      kind: 'ws',
    });
    fn.bindTables(route.tables, props.tables);
    // Every route handler can answer the client (errors, pong, replay) through the Management API.
    this.allowPosting(fn);
    const routeInConfig = this.api.addRoute(route.routeKey, {
      integration: new WebSocketLambdaIntegration(`${constructIdOf(route.handler)}Integration`, fn),
      // Two-way routes would need a route response; the handlers answer through PostToConnection.
    });
    acknowledge(
      routeInConfig,
      'AwsSolutions-APIG4',
      route.routeKey === '$connect'
        ? 'API Gateway WebSocket APIs offer no JWT authorizer; the $connect handler verifies the ?token= JWT against the same issuer, audience and JWKS as the HTTP authorizer and refuses the upgrade (401) before the connection is stored.'
        : 'API Gateway only runs authorizers on $connect; messages on this route can only arrive over a connection that $connect already authenticated, and the handler looks the connection up before acting.',
    );
    return fn;
  }
}
