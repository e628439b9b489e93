import { App } from 'aws-cdk-lib';
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
    'Inference Instances: HTTP API, Lambda handlers, DynamoDB tables and stream consumers',
  jwtIssuer: stringContext(app, 'jwtIssuer'),
  jwtAudience: listContext(app, 'jwtAudience'),
  corsOrigins: listContext(app, 'corsOrigins'),
});
