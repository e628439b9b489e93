import { App } from 'aws-cdk-lib';
import { addNagChecks } from './constructs/nag.ts';
import { InferenceInstancesStack } from './stack.ts';

/** `-c key=a,b` arrives as a string, cdk.json may hold an array: accept both. */
function listContext(app: App, key: string): string[] {
  const value: unknown = app.node.tryGetContext(key);
  const items = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
  return items.map((s) => s.trim()).filter(Boolean);
}

function stringContext(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

const app = new App();
new InferenceInstancesStack(app, 'InferenceInstancesStack', {
  description:
    'Inference Instances: HTTP and WebSocket APIs, Lambda handlers, DynamoDB tables, stream consumers and alarms',
  jwtIssuer: stringContext(app, 'jwtIssuer'),
  jwtAudience: listContext(app, 'jwtAudience'),
  jwksUrl: stringContext(app, 'jwksUrl'),
  corsOrigins: listContext(app, 'corsOrigins'),
  authCallbackUrls: listContext(app, 'authCallbackUrls'),
  alarmEmail: stringContext(app, 'alarmEmail'),
  // `-c apiGatewayAccountRole=false` (a string) or `false` in cdk.json.
  apiGatewayAccountRole: String(app.node.tryGetContext('apiGatewayAccountRole')) !== 'false',
});
// AwsSolutions + Serverless packs: synth fails on any error that is not acknowledged with a reason.
addNagChecks(app);
