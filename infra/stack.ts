import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { API_BASE } from '../shared/routes/define.ts';
import { streamConsumers } from '../shared/config/streams.ts';
import { migrations } from '../shared/config/migrations.ts';
import { tables, type TableName } from '../shared/config/tables.ts';
import { ApiGatewayAccountLogRole } from './constructs/api-gateway-account.ts';
import { ApiAuth } from './constructs/auth.ts';
import { DataTables } from './constructs/data-tables.ts';
import { DataBuckets } from './constructs/buckets.ts';
import { InstancesHttpApi } from './constructs/http-api.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { StreamConsumer } from './constructs/stream-consumer.ts';
import { DataMigration } from './constructs/data-migration.ts';
import { InstancesWebSocketApi } from './constructs/websocket-api.ts';
import { OperatorConsole } from './constructs/console.ts';

export interface InferenceInstancesStackProps extends StackProps {
  /** Issuer and audiences for the JWT authorizer (SPEC §6); without an issuer, Cognito. */
  readonly jwtIssuer?: string;
  readonly jwtAudience: readonly string[];
  /** Only when the issuer's JWKS is not at `${issuer}/.well-known/jwks.json`. */
  readonly jwksUrl?: string;
  /** Browser origins allowed to call the API; empty disables CORS. */
  readonly corsOrigins: readonly string[];
  /** OAuth callback URLs of the Cognito dashboard client; defaults to the CORS origins. */
  readonly authCallbackUrls?: readonly string[];
  /** Address subscribed to the alarm topic. */
  readonly alarmEmail?: string;
  /**
   * Set API Gateway's account-wide CloudWatch role (needed for WebSocket access logs). Turn off
   * when the account already has one. Default true.
   */
  readonly apiGatewayAccountRole?: boolean;
}

/** Used for the Cognito dashboard client when neither callback URLs nor origins are given. */
const LOCAL_DASHBOARD_URL = 'http://localhost:3000/';

/**
 * Everything is derived from the shared config (tables, routes, WebSocket routes, stream
 * consumers, migrations), so a new route, table, consumer or migration needs no change here.
 */
export class InferenceInstancesStack extends Stack {
  readonly jwtIssuer: string | undefined;
  readonly jwtAudience: readonly string[];
  readonly data: DataTables;
  readonly buckets: DataBuckets;
  readonly auth: ApiAuth;
  readonly http: InstancesHttpApi;
  readonly ws: InstancesWebSocketApi;
  readonly streamConsumers: readonly StreamConsumer[];
  readonly migrations: readonly DataMigration[];
  readonly monitoring: Monitoring;
  readonly console: OperatorConsole;

  constructor(scope: Construct, id: string, props: InferenceInstancesStackProps) {
    super(scope, id, props);
    this.jwtIssuer = props.jwtIssuer;
    this.jwtAudience = props.jwtAudience;

    this.data = new DataTables(this, 'Tables');
    this.buckets = new DataBuckets(this, 'Buckets');

    const callbackUrls = props.authCallbackUrls?.length
      ? props.authCallbackUrls
      : props.corsOrigins.length
        ? props.corsOrigins
        : [LOCAL_DASHBOARD_URL];
    this.auth = new ApiAuth(this, 'Auth', {
      issuer: props.jwtIssuer,
      audience: props.jwtAudience,
      jwksUrl: props.jwksUrl,
      callbackUrls,
    });

    this.http = new InstancesHttpApi(this, 'Http', {
      tables: this.data.byName,
      buckets: this.buckets.byName,
      corsOrigins: props.corsOrigins,
      authorizer: this.auth.authorizer,
    });

    const logRole =
      props.apiGatewayAccountRole === false
        ? undefined
        : new ApiGatewayAccountLogRole(this, 'ApiGatewayLogRole');
    this.ws = new InstancesWebSocketApi(this, 'WebSocket', {
      tables: this.data.byName,
      connectEnvironment: this.auth.environment,
      loggingPrerequisite: logRole?.account,
    });

    this.streamConsumers = streamConsumers.map((def) => {
      const consumer = new StreamConsumer(this, def.id, {
        def,
        tables: this.data.byName,
        buckets: this.buckets.byName,
      });
      if (def.websocket) this.ws.allowPosting(consumer.fn);
      return consumer;
    });

    // After the code that writes the new shape is live, so no old writer leaves items behind.
    this.migrations = migrations.map(
      (def) =>
        new DataMigration(this, `${def.id}Migration`, {
          def,
          tables: this.data.byName,
          after: [this.http, this.ws, ...this.streamConsumers],
        }),
    );

    this.monitoring = new Monitoring(this, 'Monitoring', { alarmEmail: props.alarmEmail });
    this.monitoring.httpApiAlarms({ api: this.http.api, accessLogs: this.http.accessLogs });
    for (const fn of [...this.http.functions.values(), ...this.ws.functions.values()]) {
      this.monitoring.lambdaErrorAlarm(fn.node.id, fn);
    }
    for (const [i, def] of migrations.entries()) {
      this.monitoring.lambdaErrorAlarm(`${def.id}Migration`, this.migrations[i]!.fn);
    }
    streamConsumers.forEach((def, i) => {
      const { fn } = this.streamConsumers[i]!;
      this.monitoring.lambdaErrorAlarm(def.id, fn);
      this.monitoring.iteratorAgeAlarm(def.id, fn);
    });
    this.monitoring.notifyAll(this);

    // The operator console: web/dist (built by `npm ci`) behind CloudFront, /api proxied by the
    // same distribution; config.json with the API and WebSocket URLs is written at deploy time.
    // With the stack's own user pool, people sign in through its hosted UI (authorization code
    // + PKCE, dashboard client); with another issuer, the console asks for a token.
    const cognito = this.auth.cognito;
    this.console = new OperatorConsole(this, 'Console', {
      wsUrl: this.ws.stage.url,
      httpApiDomain: `${this.http.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`,
      ...(cognito ? { auth: 'oidc', oidc: cognito.consoleSignIn } : { auth: 'token' }),
    });
    cognito?.allowConsole(this.console.url);

    this.outputs();
  }

  private outputs(): void {
    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the HTTP API',
      value: `${this.http.stage.url}${API_BASE.replace(/^\//, '')}`,
    });
    new CfnOutput(this, 'WebSocketUrl', {
      description: 'WebSocket URL (append ?token=<JWT>)',
      value: this.ws.stage.url,
    });
    new CfnOutput(this, 'JwtIssuer', { value: this.auth.issuer });
    new CfnOutput(this, 'JwtAudience', { value: this.auth.audience.join(',') });
    const cognito = this.auth.cognito;
    if (cognito) {
      new CfnOutput(this, 'UserPoolId', { value: cognito.userPool.userPoolId });
      new CfnOutput(this, 'MachineClientId', { value: cognito.machineClient.userPoolClientId });
      new CfnOutput(this, 'DashboardClientId', {
        value: cognito.dashboardClient.userPoolClientId,
      });
      new CfnOutput(this, 'TokenUrl', {
        description: 'OAuth2 token endpoint (client credentials: scope=instances/read …)',
        value: cognito.tokenUrl,
      });
    }
    new CfnOutput(this, 'ConsoleUrl', {
      description: 'The operator console',
      value: this.console.url,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    for (const [name, bucket] of Object.entries(this.buckets.byName)) {
      new CfnOutput(this, `${name}BucketName`, { value: bucket.bucketName });
    }
    for (const name of Object.keys(tables) as TableName[]) {
      new CfnOutput(this, `${tables[name].id}TableName`, {
        value: this.data.byName[name].tableName,
      });
    }
  }
}
