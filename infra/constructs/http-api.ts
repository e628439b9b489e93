import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  CORS_ALLOW_HEADERS,
  CORS_EXPOSE_HEADERS,
  CORS_MAX_AGE_SECONDS,
} from '../../shared/config/cors.ts';
import { routes } from '../../shared/routes/index.ts';
import {
  FALLBACK_HANDLER,
  routeKeysOf,
  type Method,
  type RouteDefinition,
} from '../../shared/routes/define.ts';
import { RouteTable, type RequestMethod } from '../../shared/routes/match.ts';
import type { BucketGrants, BucketName } from '../../shared/config/buckets.ts';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Access, TableName } from '../../shared/config/tables.ts';
import { constructIdOf, HandlerFunction } from './handler-function.ts';
import { acknowledge } from './nag.ts';

/** Stage-wide limits in one place; per-route overrides would go through `routeSettings`. */
export const HTTP_API_LIMITS = {
  throttle: { burstLimit: 200, rateLimit: 100 },
  corsMaxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
  accessLogRetention: logs.RetentionDays.ONE_MONTH,
} as const;

/** HTTP API context variables (not REST API ones, so not `jsonWithStandardFields`). */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    method: '$context.httpMethod',
    path: '$context.path',
    status: '$context.status',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    latency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    responseLength: '$context.responseLength',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

export interface InstancesHttpApiProps {
  readonly tables: Readonly<Record<TableName, ITable>>;
  readonly buckets: Readonly<Record<BucketName, IBucket>>;
  /** Browser origins allowed by CORS; empty means no CORS configuration at all. */
  readonly corsOrigins: readonly string[];
  /**
   * The single attachment point for authorization: it becomes the API's default authorizer,
   * which CDK applies to every route added here, `$default` included. Handlers still check
   * scopes themselves (shared/http/auth.ts), so one authorizer without scopes is enough.
   */
  readonly authorizer: apigw.IHttpRouteAuthorizer;
}

interface Grants {
  tables: Partial<Record<TableName, Access>>;
  buckets: BucketGrants;
}

/** Union of the grants of every route a handler serves; write wins over read. */
function grantsByHandler(): Map<string, Grants> {
  const out = new Map<string, Grants>();
  const merge = <K extends string>(
    into: Partial<Record<K, Access>>,
    from: Partial<Record<K, Access>>,
  ) => {
    for (const [name, access] of Object.entries(from) as [K, Access][]) {
      if (into[name] !== 'write') into[name] = access;
    }
  };
  for (const route of routes) {
    const merged = out.get(route.handler) ?? { tables: {}, buckets: {} };
    merge(merged.tables, route.tables);
    merge(merged.buckets, route.buckets ?? {});
    out.set(route.handler, merged);
  }
  return out;
}

/** The HTTP API: one Lambda per distinct handler, one route per route-table entry. */
export class InstancesHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** Keyed by handler module path (`http/get-instance`). */
  readonly functions: ReadonlyMap<string, HandlerFunction>;

  constructor(scope: Construct, id: string, props: InstancesHttpApiProps) {
    super(scope, id);
    const functions = new Map<string, HandlerFunction>();
    const fnFor = (handler: string, grants: Grants) => {
      const fn = new HandlerFunction(this, constructIdOf(handler), { handler, kind: 'http' });
      fn.bindTables(grants.tables, props.tables);
      fn.bindBuckets(grants.buckets, props.buckets);
      functions.set(handler, fn);
      return fn;
    };

    const fallback = fnFor(FALLBACK_HANDLER, { tables: {}, buckets: {} });
    const fallbackIntegration = new HttpLambdaIntegration('FallbackIntegration', fallback);
    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-http`,
      description: 'Inference Instances HTTP API',
      // Unmatched requests reach our handler, which answers 404/405 in the API's error shape.
      defaultIntegration: fallbackIntegration,
      defaultAuthorizer: props.authorizer,
      corsPreflight: corsPreflightFor(props.corsOrigins),
      // The default stage is created below: HttpApi's own cannot take logging or throttling.
      createDefaultStage: false,
    });

    for (const [handler, grants] of grantsByHandler()) {
      const integration = new HttpLambdaIntegration(
        `${constructIdOf(handler)}Integration`,
        fnFor(handler, grants),
      );
      for (const route of routes.filter((r) => r.handler === handler)) {
        this.addRoute(route, integration);
      }
    }
    this.addShadowRoutes(fallbackIntegration);
    if (props.corsOrigins.length > 0) this.allowPreflight(fallbackIntegration);
    this.functions = functions;
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: HTTP_API_LIMITS.accessLogRetention,
    });
    this.stage = this.createDefaultStage(this.accessLogs);
  }

  /**
   * One API Gateway route per route key of the definition (`routeKeysOf`): a GET route brings a
   * HEAD route to the same function, because HTTP APIs have no implicit HEAD (it would reach
   * `$default` and be a 405) and the handler envelope answers HEAD like GET without the body.
   */
  private addRoute(route: RouteDefinition, integration: HttpLambdaIntegration): void {
    const added = this.api.addRoutes({
      path: route.path,
      methods: routeKeysOf(route).map(
        (key) => apigw.HttpMethod[key.split(' ')[0] as keyof typeof apigw.HttpMethod],
      ),
      integration,
      // The API's default (JWT) authorizer applies unless the route is public.
      ...(route.public ? { authorizer: new apigw.HttpNoneAuthorizer() } : {}),
    });
    if (!route.public) return;
    for (const r of added) {
      acknowledge(
        r,
        'AwsSolutions-APIG4',
        'Liveness check for load balancers and uptime monitors that carry no token: it answers {"status":"ok"} and reads no table (no table grants), so it exposes nothing.',
      );
    }
  }

  /**
   * How a wrong method gets its 405 deployed: API Gateway selects among the routes of the
   * request's method only, so without help `GET /api/instances/batch-delete` would run
   * `GET /api/instances/{id}`. A route of its own for each such method and literal path
   * (`RouteTable.shadows`) sends it to the fallback, which answers 405 with `Allow`. A method
   * with no route on a matching path at all (`PATCH /api/history/search`) reaches `$default`,
   * the same fallback. The local gateway adds the same shadows, so both answer alike.
   */
  private addShadowRoutes(integration: HttpLambdaIntegration): void {
    const byPath = new Map<string, RequestMethod[]>();
    for (const { method, path } of new RouteTable(routes).shadows()) {
      byPath.set(path, [...(byPath.get(path) ?? []), method]);
    }
    for (const [path, methods] of byPath) {
      this.api.addRoutes({
        path,
        methods: methods.map((m) => apigw.HttpMethod[m]),
        integration,
      });
    }
  }

  /**
   * API Gateway answers CORS preflights itself only when no route matches the OPTIONS request;
   * here `$default` matches everything and carries the JWT authorizer, and browsers never send
   * credentials on a preflight, so it would get 401. An unauthorized `OPTIONS /{proxy+}` route
   * outranks `$default` (API Gateway, "Configure CORS for HTTP APIs"); API Gateway adds the
   * configured CORS headers to the fallback's answer, so the fallback must answer an OPTIONS
   * on this route with a 2xx without asking for a principal (a preflight carries no token).
   */
  private allowPreflight(integration: HttpLambdaIntegration): void {
    const [route] = this.api.addRoutes({
      path: '/{proxy+}',
      methods: [apigw.HttpMethod.OPTIONS],
      integration,
      authorizer: new apigw.HttpNoneAuthorizer(),
    });
    acknowledge(
      route!,
      'AwsSolutions-APIG4',
      'CORS preflight: browsers never send credentials on OPTIONS, so an authorizer here would block every cross-origin call; the route only reaches the fallback handler, which returns no data.',
    );
  }

  private createDefaultStage(accessLogs: logs.LogGroup): apigw.HttpStage {
    return new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: HTTP_API_LIMITS.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });
  }
}

function corsPreflightFor(origins: readonly string[]): apigw.CorsPreflightOptions | undefined {
  if (origins.length === 0) return undefined;
  const methods = new Set<Method>(routes.map((r) => r.method));
  return {
    allowOrigins: [...origins],
    allowMethods: [...methods].map((m) => apigw.CorsHttpMethod[m]),
    allowHeaders: [...CORS_ALLOW_HEADERS],
    exposeHeaders: [...CORS_EXPOSE_HEADERS],
    maxAge: HTTP_API_LIMITS.corsMaxAge,
  };
}
