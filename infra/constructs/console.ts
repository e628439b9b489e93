/**
 * The operator console on AWS: web/dist in a private S3 bucket, served by CloudFront through
 * origin access control (the bucket has no public access and no website endpoint), HTTPS only,
 * security headers on every response, the SPA fallback (a deep link gets index.html), and a
 * `config.json` written at deploy time with the API and WebSocket URLs and the auth mode.
 *
 * With `httpApiDomain`, `/api/*` is routed through the same distribution to the HTTP API, so
 * the console calls its own origin (no CORS to configure); the WebSocket goes to its own URL.
 */
import { Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { resolve } from 'node:path';
import { acknowledge, wildcardResourceFinding } from './nag.ts';
import { API_BASE } from '../../shared/routes/define.ts';
import { CONSOLE_SIGN_IN } from '../../shared/config/auth.ts';

export interface ConsoleProps {
  /** WebSocket API URL (`wss://…/<stage>`), written to config.json. */
  readonly wsUrl: string;
  /**
   * `token`: the console asks for a bearer token (kept in memory). `oidc`: it signs in through
   * the provider in `oidc` (authorization code + PKCE). Default `oidc` when `oidc` is given,
   * else `token`.
   */
  readonly auth?: 'off' | 'token' | 'oidc';
  /**
   * The OIDC provider and public client the console signs in with (the Cognito hosted UI:
   * `CognitoIssuer.consoleSignIn`). The client must allow `<console url>/auth/callback` as a
   * callback URL and `<console url>/` as a sign-out URL (`CognitoIssuer.allowConsole`).
   */
  readonly oidc?: ConsoleOidcProps;
  /**
   * Domain of the HTTP API (`<id>.execute-api.<region>.amazonaws.com`): `/api/*` is proxied
   * through CloudFront and the console calls its own origin. Without it, `apiUrl` is used.
   */
  readonly httpApiDomain?: string;
  /** Origin of the HTTP API when it is not proxied (then CORS must allow the console). */
  readonly apiUrl?: string;
  /** The built console (default web/dist, from `npm run build:web`). */
  readonly distDir?: string;
  /**
   * A custom domain (certificate in us-east-1). Only then does `minimumProtocolVersion`
   * (TLS 1.2) apply: the default *.cloudfront.net certificate accepts what CloudFront accepts.
   */
  readonly domain?: { names: string[]; certificate: acm.ICertificate };
  /** Bucket for the site bucket's S3 server access logs (e.g. DataBuckets' AccessLogs). */
  readonly accessLogsBucket?: s3.IBucket;
  /** Bucket for CloudFront's standard logs; it must allow ACLs (default: no logs). */
  readonly cloudFrontLogBucket?: s3.IBucket;
}

export interface ConsoleOidcProps {
  /** The issuer URL (discovery document at `/.well-known/openid-configuration`). */
  readonly authority: string;
  readonly clientId: string;
  /** The Cognito hosted-UI domain (`https://…amazoncognito.com`): token, revoke and logout. */
  readonly hostedUiDomain?: string;
  /** Default CONSOLE_SIGN_IN.scope (`openid email`). */
  readonly scope?: string;
}

/** `https://host` of a URL, at synth time or (for a deploy-time value) in CloudFormation. */
export function originOf(url: string): string {
  if (!Token.isUnresolved(url)) return new URL(url).origin;
  return `https://${Fn.select(2, Fn.split('/', url))}`;
}

const DIST = resolve(import.meta.dirname, '../../web/dist');

export class OperatorConsole extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<distribution domain>`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    const distDir = props.distDir ?? DIST;
    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      // A build artifact: the next deploy recreates it.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
      ...(props.accessLogsBucket
        ? { serverAccessLogsBucket: props.accessLogsBucket, serverAccessLogsPrefix: 'console/' }
        : {}),
    });

    const wsOrigin = props.wsUrl.replace(/^(wss?:\/\/[^/]+).*$/, '$1');
    const auth = props.auth ?? (props.oidc ? 'oidc' : 'token');
    if (auth === 'oidc' && !props.oidc) throw new Error('auth "oidc" needs the oidc settings');
    // The browser fetches the discovery document and the token endpoint (and revokes there).
    const oidcOrigins =
      auth === 'oidc' && props.oidc
        ? [props.oidc.authority, props.oidc.hostedUiDomain]
            .filter((u): u is string => u !== undefined)
            .map(originOf)
        : [];
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Operator console: HSTS, CSP, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            `connect-src 'self' ${props.httpApiDomain ? '' : (props.apiUrl ?? '')} ${wsOrigin} ${oidcOrigins.join(' ')}`
              .replace(/\s+/g, ' ')
              .trim(),
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
          ].join('; '),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
      },
    });

    const apiBehaviors: Record<string, cloudfront.BehaviorOptions> = props.httpApiDomain
      ? {
          [`${API_BASE}/*`]: {
            origin: new origins.HttpOrigin(props.httpApiDomain, {
              protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            }),
            viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
            cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
            originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            responseHeadersPolicy: headers,
          },
        }
      : {};

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Inference Instances operator console',
      defaultRootObject: 'index.html',
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(props.cloudFrontLogBucket
        ? { enableLogging: true, logBucket: props.cloudFrontLogBucket }
        : {}),
      ...(props.domain
        ? { domainNames: props.domain.names, certificate: props.domain.certificate }
        : {}),
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      additionalBehaviors: apiBehaviors,
      // SPA fallback: S3 answers 403 for a key that does not exist (no ListBucket), so any
      // route of the app (/instances/42/history) gets index.html with 200.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    // Hashed assets never change; index.html and config.json are revalidated on every load.
    const assets = new s3deploy.BucketDeployment(this, 'Assets', {
      sources: [s3deploy.Source.asset(distDir, { exclude: ['index.html'] })],
      destinationBucket: this.bucket,
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
      prune: false,
    });
    const entry = new s3deploy.BucketDeployment(this, 'Entry', {
      sources: [
        s3deploy.Source.asset(distDir, { exclude: ['*', '!index.html'] }),
        s3deploy.Source.jsonData('config.json', {
          apiUrl: props.httpApiDomain ? '' : (props.apiUrl ?? ''),
          wsUrl: props.wsUrl,
          auth,
          ...(auth === 'oidc' && props.oidc
            ? {
                oidc: {
                  authority: props.oidc.authority,
                  clientId: props.oidc.clientId,
                  redirectUri: `${this.url}${CONSOLE_SIGN_IN.callbackPath}`,
                  logoutUri: `${this.url}/`,
                  scope: props.oidc.scope ?? CONSOLE_SIGN_IN.scope,
                  ...(props.oidc.hostedUiDomain
                    ? { hostedUiDomain: props.oidc.hostedUiDomain }
                    : {}),
                },
              }
            : {}),
        }),
      ],
      destinationBucket: this.bucket,
      cacheControl: [s3deploy.CacheControl.fromString('no-cache')],
      prune: false,
      // The new index.html and config.json are visible at once.
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
    });
    // index.html must not point at assets that are not uploaded yet.
    entry.node.addDependency(assets);
    this.acknowledgeFindings(props, assets.handlerRole);
  }

  /** cdk-nag findings that are exceptions here, each with its reason. */
  private acknowledgeFindings(props: ConsoleProps, deployRole: iam.IRole): void {
    if (!props.accessLogsBucket) {
      acknowledge(
        this.bucket,
        'AwsSolutions-S1',
        'Static build output re-uploaded on every deploy; reads are logged by CloudFront when enabled',
      );
    }
    if (!props.cloudFrontLogBucket) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR3',
        'No ACL-enabled log bucket given; pass cloudFrontLogBucket to turn CloudFront standard logs on',
      );
    }
    if (!props.domain) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR4',
        'The default *.cloudfront.net certificate cannot set a minimum TLS version; a custom domain sets TLS 1.2',
      );
    }
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'An operator console for a global team: no geographic restriction; access is controlled by JWT',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'Static files only, and the API behind /api has its own throttling and JWT authorizer',
    );
    // BucketDeployment's handler is CDK's own singleton Lambda (a deploy-time custom resource).
    const handler = Stack.of(this).node.children.find((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    const cdkOwned =
      'CDK BucketDeployment handler: runs only at deploy time, code and runtime owned by aws-cdk-lib';
    if (handler) {
      for (const id of [
        'AwsSolutions-L1',
        'Serverless-LambdaDLQ',
        'Serverless-LambdaLatestVersion',
        'Serverless-LambdaTracing',
      ]) {
        acknowledge(handler, id, cdkOwned);
      }
    }
    acknowledge(
      deployRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      cdkOwned,
    );
    // The wildcards CDK grants it: read the asset zips, write and prune the site bucket.
    const policy = deployRole.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    const statements = (Stack.of(this).resolve(policy?.document.toJSON())?.Statement ?? []) as {
      Action: string | string[];
      Resource: unknown;
    }[];
    const ids = new Set<string>();
    for (const st of statements) {
      for (const action of ([] as string[]).concat(st.Action)) {
        if (action.includes('*')) ids.add(`AwsSolutions-IAM5[Action::${action}]`);
      }
      for (const resource of ([] as unknown[]).concat(st.Resource)) {
        const finding = wildcardResourceFinding(this, resource as string);
        if (finding.includes('*')) ids.add(finding);
      }
    }
    for (const id of ids) acknowledge(deployRole, id, cdkOwned);
  }
}
