import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { AUTH_ENV, CONSOLE_SIGN_IN, SCOPES } from '../../shared/config/auth.ts';
import { acknowledge } from './nag.ts';

export interface ApiAuthProps {
  /** An existing OIDC issuer (e.g. a corporate IdP). Without it the stack creates Cognito. */
  readonly issuer?: string;
  /** Accepted `aud` / `client_id` values; required with `issuer`. */
  readonly audience: readonly string[];
  /** Only when the issuer's JWKS is not at `${issuer}/.well-known/jwks.json`. */
  readonly jwksUrl?: string;
  /** OAuth callback URLs of the dashboard client (Cognito only). */
  readonly callbackUrls: readonly string[];
}

/** Resource server `instances` with scopes read/write/admin, from `instances:<name>` in SCOPES. */
const RESOURCE_SERVER = 'instances';
const scopeNames = Object.values(SCOPES).map((s) => s.slice(`${RESOURCE_SERVER}:`.length));

/**
 * Who may call the APIs (SPEC §6): a JWT authorizer for the HTTP API and the same issuer and
 * audience for the WebSocket `$connect` handler. Handlers enforce scopes from the claims.
 */
export class ApiAuth extends Construct {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly authorizer: HttpJwtAuthorizer;
  /** Set only when the stack created the user pool. */
  readonly cognito?: CognitoIssuer;
  private readonly jwksUrl?: string;

  constructor(scope: Construct, id: string, props: ApiAuthProps) {
    super(scope, id);
    if (props.issuer !== undefined) {
      if (props.audience.length === 0) {
        throw new Error('jwtIssuer needs jwtAudience (comma-separated client ids or audiences)');
      }
      this.issuer = props.issuer;
      this.audience = props.audience;
    } else {
      this.cognito = new CognitoIssuer(this, 'Cognito', { callbackUrls: props.callbackUrls });
      this.issuer = this.cognito.issuer;
      this.audience = this.cognito.clients.map((c) => c.userPoolClientId);
    }
    // No authorization scopes here: one authorizer checks the token, the handlers check scopes
    // (a write scope or group), which keeps 403 bodies in the API's error shape.
    this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', this.issuer, {
      jwtAudience: [...this.audience],
    });
    this.jwksUrl = props.jwksUrl;
  }

  /** For the WebSocket `$connect` function, which verifies `?token=` with the same settings. */
  get environment(): Record<string, string> {
    return {
      [AUTH_ENV.issuer]: this.issuer,
      [AUTH_ENV.audience]: this.audience.join(','),
      ...(this.jwksUrl ? { [AUTH_ENV.jwksUrl]: this.jwksUrl } : {}),
    };
  }
}

interface CognitoIssuerProps {
  readonly callbackUrls: readonly string[];
}

/**
 * A user pool for when no issuer is given. People sign in through the dashboard client and get
 * their rights from groups named like the scopes (`cognito:groups`); scripts use the machine
 * client's client-credentials flow and get `instances/<name>` scopes.
 */
export class CognitoIssuer extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  readonly machineClient: cognito.UserPoolClient;
  readonly dashboardClient: cognito.UserPoolClient;
  readonly issuer: string;
  /** Added by `allowConsole` after construction (the console is built after the API). */
  private readonly consoleCallbacks: string[] = [];
  private readonly consoleLogouts: string[] = [];

  constructor(scope: Construct, id: string, props: CognitoIssuerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Operators are invited by an admin; nobody can sign themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: true,
    });
    acknowledge(
      this.userPool,
      'AwsSolutions-COG8',
      'The Plus feature plan (threat protection, adaptive authentication) is billed per active user; this pool holds a few admin-invited operators with self sign-up off, MFA required and a strong password policy. Switch featurePlan to PLUS if the pool grows.',
    );

    const scopes = scopeNames.map(
      (name) =>
        new cognito.ResourceServerScope({
          scopeName: name,
          scopeDescription: `${RESOURCE_SERVER}:${name}`,
        }),
    );
    const server = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER,
      scopes,
    });
    for (const group of Object.values(SCOPES)) {
      this.userPool.addGroup(`Group${group.replace(/\W/g, '')}`, {
        groupName: group,
        description: `Members get the ${group} scope`,
      });
    }

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: {
        // Globally unique per region: stack name + account, within the 63-character limit.
        domainPrefix: `${stack.stackName
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, '')
          .slice(0, 40)}-${stack.account}`,
      },
    });

    // Client credentials: the client (its secret) is the principal, scopes come from the request.
    this.machineClient = this.userPool.addClient('MachineClient', {
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: scopes.map((scope) => cognito.OAuthScope.resourceServer(server, scope)),
      },
      accessTokenValidity: Duration.hours(1),
    });
    // Authorization code + PKCE for people. It may not request instance scopes: any user could
    // ask for them, so rights come only from the groups an admin put the user in.
    this.dashboardClient = this.userPool.addClient('DashboardClient', {
      generateSecret: false,
      authFlows: {},
      preventUserExistenceErrors: true,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        // Resolved at synth: the console's own URLs join the configured ones (allowConsole).
        callbackUrls: Lazy.list({
          produce: () => [...props.callbackUrls, ...this.consoleCallbacks],
        }),
        logoutUrls: Lazy.list({ produce: () => [...props.callbackUrls, ...this.consoleLogouts] }),
      },
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
    });

    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
  }

  /**
   * Lets the operator console (`https://…`, no trailing slash) sign in with the dashboard client:
   * its callback route (CONSOLE_SIGN_IN.callbackPath, also the popup's) and its home page as
   * the place sign-out returns to.
   */
  allowConsole(consoleUrl: string): void {
    this.consoleCallbacks.push(`${consoleUrl}${CONSOLE_SIGN_IN.callbackPath}`);
    this.consoleLogouts.push(`${consoleUrl}/`);
  }

  /** What the console's config.json needs to sign in with the dashboard client. */
  get consoleSignIn(): { authority: string; clientId: string; hostedUiDomain: string } {
    return {
      authority: this.issuer,
      clientId: this.dashboardClient.userPoolClientId,
      hostedUiDomain: this.domain.baseUrl(),
    };
  }

  get clients(): cognito.UserPoolClient[] {
    return [this.machineClient, this.dashboardClient];
  }

  get tokenUrl(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }
}
