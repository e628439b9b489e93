/** infra/constructs/console.ts synthesised on its own: what CloudFront and S3 are given. */
import { App, Aws, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperatorConsole } from '../../infra/constructs/console.ts';

function synth(props: Partial<ConstructorParameters<typeof OperatorConsole>[2]> = {}) {
  const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html>');
  writeFileSync(join(dist, 'assets', 'index-abc.js'), 'export {}');
  const app = new App();
  const stack = new Stack(app, 'ConsoleStack', {
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  new OperatorConsole(stack, 'Console', {
    wsUrl: 'wss://ws.example.com/prod',
    httpApiDomain: 'abc123.execute-api.eu-west-1.amazonaws.com',
    distDir: dist,
    ...props,
  });
  return Template.fromStack(stack);
}

describe('OperatorConsole construct', () => {
  const t = synth();

  it('keeps the bucket private: all public access blocked, TLS only, read by CloudFront OAC', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
          }),
          Match.objectLike({
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
          }),
        ]),
      },
    });
  });

  it('serves HTTPS only, with the SPA fallback and /api proxied to the HTTP API', () => {
    const dist = t.findResources('AWS::CloudFront::Distribution');
    const config = Object.values(dist)[0]!.Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.CustomErrorResponses).toEqual([
      { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
      { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
    ]);
    expect(config.CacheBehaviors).toEqual([
      expect.objectContaining({ PathPattern: '/api/*', ViewerProtocolPolicy: 'https-only' }),
    ]);
  });

  it('adds security headers to every response', () => {
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31536000 }),
          ContentSecurityPolicy: {
            ContentSecurityPolicy: Match.stringLikeRegexp(
              "connect-src 'self' wss://ws.example.com;",
            ),
            Override: true,
          },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
        }),
      },
    });
  });

  it('writes config.json at deploy time (deploy-time values resolved then), uncached', () => {
    const withToken = synth({ wsUrl: `wss://ws.${Aws.URL_SUFFIX}/prod` });
    const entry = Object.values(withToken.findResources('Custom::CDKBucketDeployment')).find(
      (d) => d.Properties.DistributionPaths,
    )!;
    expect(JSON.stringify(entry.Properties.SourceMarkers)).toContain('AWS::URLSuffix');
  });

  it('uploads index.html and config.json uncached and invalidates them', () => {
    const deployments = Object.values(t.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(2);
    const entry = deployments.find((d) => d.Properties.DistributionPaths)!;
    expect(entry.Properties.DistributionPaths).toEqual(['/index.html', '/config.json']);
    expect(entry.Properties.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
  });
});
