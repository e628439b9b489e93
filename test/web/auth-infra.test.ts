/**
 * The deployed sign-in as CDK writes it: the dashboard client (authorization code + PKCE, no
 * secret) allows the console's callback and sign-out URLs, config.json carries the hosted-UI
 * settings, and the console's CSP lets the browser reach the issuer and the hosted-UI domain.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InferenceInstancesStack } from '../../infra/stack.ts';
import { CONSOLE_SIGN_IN } from '../../shared/config/auth.ts';

function synth(props: { jwtIssuer?: string; jwtAudience?: string[] } = {}) {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = new InferenceInstancesStack(app, 'AuthStack', {
    jwtAudience: [],
    corsOrigins: [],
    env: { account: '111111111111', region: 'eu-west-1' },
    ...props,
  });
  const template = Template.fromStack(stack);
  /** The config.json CDK stages for upload (deploy-time values are markers in it). */
  const configJson = () => {
    const out = app.synth().directory;
    const file = readdirSync(out)
      .map((d) => join(out, d, 'config.json'))
      .find((f) => existsSync(f));
    return JSON.parse(readFileSync(file!, 'utf8')) as Record<string, unknown>;
  };
  return { stack, template, configJson };
}

const json = (v: unknown) => JSON.stringify(v);

describe('console sign-in (CDK)', () => {
  const { stack, template, configJson } = synth();
  const distributionId = stack.getLogicalId(stack.console.distribution.node.defaultChild as never);

  it('lets the dashboard client sign in at the console: code grant, callback and sign-out URLs', () => {
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    const dashboard = clients.find((c) => !c.Properties.GenerateSecret)!;
    expect(dashboard.Properties.AllowedOAuthFlows).toEqual(['code']);
    expect(dashboard.Properties.AllowedOAuthScopes).toEqual(
      expect.arrayContaining(CONSOLE_SIGN_IN.scope.split(' ')),
    );
    expect(dashboard.Properties.EnableTokenRevocation).toBe(true);
    const callbacks = json(dashboard.Properties.CallbackURLs);
    expect(callbacks).toContain(distributionId);
    expect(callbacks).toContain(CONSOLE_SIGN_IN.callbackPath);
    expect(json(dashboard.Properties.LogoutURLs)).toContain(distributionId);
  });

  it('writes the hosted-UI settings into config.json', () => {
    const entry = Object.values(template.findResources('Custom::CDKBucketDeployment')).find(
      (d) => d.Properties.DistributionPaths,
    )!;
    const markers = json(entry.Properties.SourceMarkers);
    const dashboardId = stack.getLogicalId(
      stack.auth.cognito!.dashboardClient.node.defaultChild as never,
    );
    expect(markers).toContain(dashboardId);
    expect(markers).toContain(distributionId);
    expect(markers).toContain('UserPoolDomain');
    const config = configJson();
    expect(config.auth).toBe('oidc');
    expect(config.oidc).toEqual({
      authority: expect.stringMatching(/^https:\/\/cognito-idp\.eu-west-1\.<<marker/),
      clientId: expect.stringMatching(/^<<marker/),
      redirectUri: expect.stringMatching(
        new RegExp(`^https://<<marker.*${CONSOLE_SIGN_IN.callbackPath}$`),
      ),
      logoutUri: expect.stringMatching(/^https:\/\/<<marker.*\/$/),
      scope: CONSOLE_SIGN_IN.scope,
      hostedUiDomain: expect.stringMatching(/^https:\/\/<<marker/),
    });
  });

  it('allows the issuer and the hosted-UI domain in connect-src', () => {
    const policy = Object.values(
      template.findResources('AWS::CloudFront::ResponseHeadersPolicy'),
    )[0]!;
    const csp = json(
      policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy,
    );
    expect(csp).toContain('cognito-idp.eu-west-1');
    expect(csp).toContain('UserPoolDomain');
  });

  it('keeps the pasted token when the issuer is not the stack’s own', () => {
    const other = synth({ jwtIssuer: 'https://idp.example.com', jwtAudience: ['aud'] });
    expect(other.stack.auth.cognito).toBeUndefined();
    const config = other.configJson();
    expect(config.auth).toBe('token');
    expect(config.oidc).toBeUndefined();
  });
});
