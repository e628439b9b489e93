import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InferenceInstancesStack } from '../../infra/stack.ts';

/** Options only change the API resource, so these stacks skip esbuild and CFN validation. */
function synth(props: { corsOrigins: string[]; jwtIssuer?: string; jwtAudience?: string[] }) {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = new InferenceInstancesStack(app, 'OptionsStack', {
    jwtAudience: [],
    ...props,
  });
  return { stack, template: Template.fromStack(stack) };
}

describe('stack options', () => {
  it('configures no CORS when no origin is given', () => {
    // Act
    const { template } = synth({ corsOrigins: [] });
    // Assess
    const apis = Object.values(template.findResources('AWS::ApiGatewayV2::Api'));
    expect(apis).toHaveLength(1);
    expect(apis[0]!.Properties.CorsConfiguration).toBeUndefined();
  });

  it('keeps the JWT issuer and audiences for the authorizer', () => {
    // Act
    const { stack } = synth({
      corsOrigins: [],
      jwtIssuer: 'https://issuer.example.com',
      jwtAudience: ['dashboard', 'cli'],
    });
    // Assess
    expect(stack.jwtIssuer).toBe('https://issuer.example.com');
    expect(stack.jwtAudience).toEqual(['dashboard', 'cli']);
  });
});
