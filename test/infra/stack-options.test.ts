import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InferenceInstancesStack, type InferenceInstancesStackProps } from '../../infra/stack.ts';
import { AUTH_ENV } from '../../shared/config/auth.ts';

/** Options only change a few resources, so these stacks skip esbuild and CFN validation. */
function synth(props: Partial<InferenceInstancesStackProps> & { corsOrigins: string[] }) {
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

const routeKeys = (template: Template) =>
  Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
    (r) => r.Properties.RouteKey as string,
  );

describe('stack options', () => {
  it('configures no CORS and no preflight route when no origin is given', () => {
    // Act
    const { template } = synth({ corsOrigins: [] });
    // Assess
    const apis = Object.values(template.findResources('AWS::ApiGatewayV2::Api')).filter(
      (a) => a.Properties.ProtocolType === 'HTTP',
    );
    expect(apis).toHaveLength(1);
    expect(apis[0]!.Properties.CorsConfiguration).toBeUndefined();
    expect(routeKeys(template).filter((k) => k.startsWith('OPTIONS'))).toEqual([]);
  });

  it('uses the given issuer and audiences instead of creating Cognito', () => {
    // Act
    const { stack, template } = synth({
      corsOrigins: [],
      jwtIssuer: 'https://issuer.example.com',
      jwtAudience: ['dashboard', 'cli'],
      jwksUrl: 'https://issuer.example.com/keys',
    });
    // Assess
    expect(stack.jwtIssuer).toBe('https://issuer.example.com');
    expect(stack.jwtAudience).toEqual(['dashboard', 'cli']);
    expect(stack.auth.cognito).toBeUndefined();
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['dashboard', 'cli'] },
    });
    const connect = stack.ws.functions.get('$connect')!;
    const id = stack.getLogicalId(connect.node.defaultChild as CfnElement);
    const resources = template.toJSON().Resources as Record<
      string,
      { Properties: { Environment: { Variables: Record<string, unknown> } } }
    >;
    expect(resources[id]!.Properties.Environment.Variables).toMatchObject({
      [AUTH_ENV.issuer]: 'https://issuer.example.com',
      [AUTH_ENV.audience]: 'dashboard,cli',
      [AUTH_ENV.jwksUrl]: 'https://issuer.example.com/keys',
    });
  });

  it('creates exactly one Cognito user pool when no issuer is given', () => {
    // Act
    const { stack, template } = synth({ corsOrigins: [] });
    // Assess
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 3);
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    expect(stack.auth.cognito).toBeDefined();
  });

  it('refuses an issuer without an audience', () => {
    expect(() => synth({ corsOrigins: [], jwtIssuer: 'https://issuer.example.com' })).toThrow(
      /jwtAudience/,
    );
  });

  it('leaves the account-wide API Gateway log role alone when told to', () => {
    // Act
    const { template } = synth({ corsOrigins: [], apiGatewayAccountRole: false });
    // Assess
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')).filter(
      (s) => s.Properties.StageName !== '$default',
    );
    expect(stage!.DependsOn).toBeUndefined();
  });

  it('subscribes the alarm e-mail to the alarm topic', () => {
    // Act
    const { template } = synth({ corsOrigins: [], alarmEmail: 'ops@example.com' });
    // Assess
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});
