import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { API_BASE } from '../shared/config/routes.ts';
import { streamConsumers } from '../shared/config/streams.ts';
import { tables, type TableName } from '../shared/config/tables.ts';
import { DataTables } from './constructs/data-tables.ts';
import { InstancesHttpApi } from './constructs/http-api.ts';
import { StreamConsumer } from './constructs/stream-consumer.ts';

export interface InferenceInstancesStackProps extends StackProps {
  /** Issuer and audiences for the HTTP API's JWT authorizer (SPEC §6). */
  readonly jwtIssuer?: string;
  readonly jwtAudience: readonly string[];
  /** Browser origins allowed to call the API; empty disables CORS. */
  readonly corsOrigins: readonly string[];
}

/**
 * Everything is derived from the shared config (tables, routes, stream consumers), so a new
 * route, table or consumer needs no change here.
 */
export class InferenceInstancesStack extends Stack {
  readonly jwtIssuer: string | undefined;
  readonly jwtAudience: readonly string[];
  readonly data: DataTables;
  readonly http: InstancesHttpApi;
  readonly streamConsumers: readonly StreamConsumer[];

  constructor(scope: Construct, id: string, props: InferenceInstancesStackProps) {
    super(scope, id, props);
    this.jwtIssuer = props.jwtIssuer;
    this.jwtAudience = props.jwtAudience;

    this.data = new DataTables(this, 'Tables');

    this.http = new InstancesHttpApi(this, 'Http', {
      tables: this.data.byName,
      corsOrigins: props.corsOrigins,
      // AUTHORIZER: the JWT authorizer built from jwtIssuer/jwtAudience goes here (`authorizer`);
      // it is attached to every route, $default included. Until then no token reaches the
      // handlers, which answer 401 (principalOf in shared/http/auth.ts).
    });

    this.streamConsumers = streamConsumers.map(
      (def) => new StreamConsumer(this, def.id, { def, tables: this.data.byName }),
    );

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the HTTP API',
      value: `${this.http.stage.url}${API_BASE.replace(/^\//, '')}`,
    });
    for (const name of Object.keys(tables) as TableName[]) {
      new CfnOutput(this, `${tables[name].id}TableName`, {
        value: this.data.byName[name].tableName,
      });
    }
  }
}
