/**
 * A small OpenID provider for tests, standing in for the Cognito hosted UI (none runs offline):
 * discovery, a sign-in page at /authorize, /token with the authorization-code grant (PKCE S256
 * only: the code_verifier must hash to the code_challenge) and the refresh-token grant,
 * /revoke, /logout and the JWKS. Access tokens are signed with the local stack's `--auth` key
 * (infra/local/auth.ts), so `npm start -- --auth` verifies them like any other token.
 *
 * `handle()` serves it under `basePath` on another server (the console's origin in the browser
 * test, whose CSP allows only its own origin); `listen()` runs it on its own port.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { importJWK, SignJWT, type JWK } from 'jose';
import { jwksOf, LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../../infra/local/auth.ts';

interface Keys {
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface OidcProviderOptions {
  keys: Keys;
  clientId: string;
  /** Exact redirect URIs the client may use (checked on /authorize and /token). */
  redirectUris: string[];
  /** Where the provider is mounted, e.g. `/oidc` (default: the root). */
  basePath?: string;
  /** Scopes in the access tokens (default every instances scope). */
  scopes?: string[];
}

interface CodeGrant {
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  sub: string;
  scope: string;
}

export interface TokenLifetime {
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
}

const b64url = (buf: Buffer) => buf.toString('base64url');
/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export const s256 = (verifier: string) => b64url(createHash('sha256').update(verifier).digest());

async function body(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class OidcProvider {
  /** Set by `listen()` or by the caller that mounts `handle()`. */
  origin = '';
  readonly basePath: string;
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, { sub: string; scope: string }>();
  /** Access tokens issued, newest last. */
  readonly issued: string[] = [];
  readonly events: string[] = [];
  /** Lifetime of the next access tokens as the API sees it (`expires_in` says 1 h regardless). */
  lifetime: () => TokenLifetime = () => {
    const now = Math.floor(Date.now() / 1000);
    return { iat: now, exp: now + 3600 };
  };
  /** Refuse refresh-token grants (as when the refresh token expired or was revoked). */
  refuseRefresh = false;
  private close_?: () => Promise<void>;

  constructor(private readonly opts: OidcProviderOptions) {
    this.basePath = opts.basePath ?? '';
  }

  get authority(): string {
    return `${this.origin}${this.basePath}`;
  }

  /** Runs the provider on its own port (127.0.0.1). */
  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      void this.handle(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    this.origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    this.close_ = () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      });
  }

  async close(): Promise<void> {
    await this.close_?.();
  }

  /** Serves a request under `basePath`; false when the path is not the provider's. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://provider');
    if (!url.pathname.startsWith(`${this.basePath}/`)) return false;
    const path = url.pathname.slice(this.basePath.length);
    const cors = { 'access-control-allow-origin': '*' };
    const json = (status: number, data: unknown) => {
      res.writeHead(status, {
        ...cors,
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
      res.end(JSON.stringify(data));
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-headers': '*' }).end();
      return true;
    }
    if (path === '/.well-known/openid-configuration') {
      json(200, {
        issuer: this.authority,
        authorization_endpoint: `${this.authority}/authorize`,
        token_endpoint: `${this.authority}/token`,
        revocation_endpoint: `${this.authority}/revoke`,
        end_session_endpoint: `${this.authority}/logout`,
        jwks_uri: `${this.authority}/jwks`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
      });
      return true;
    }
    if (path === '/jwks') {
      json(200, jwksOf(this.opts.keys));
      return true;
    }
    if (path === '/authorize' && req.method === 'GET') {
      const p = url.searchParams;
      const problem = this.checkAuthorize(p);
      if (problem) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(problem);
        return true;
      }
      const hidden = [...p.entries()]
        .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
        .join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>Sign in</title></head><body><main>
<h1>Sign in (local stand-in for the hosted UI)</h1>
<form method="post" action="${this.basePath}/authorize">${hidden}
<label>Username <input name="username" value="alice@example.test" autocomplete="username"></label>
<button type="submit">Sign in</button></form></main></body></html>`);
      return true;
    }
    if (path === '/authorize' && req.method === 'POST') {
      const p = await body(req);
      const problem = this.checkAuthorize(p);
      if (problem) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(problem);
        return true;
      }
      const code = b64url(randomBytes(24));
      this.codes.set(code, {
        redirectUri: p.get('redirect_uri')!,
        challenge: p.get('code_challenge')!,
        nonce: p.get('nonce') ?? undefined,
        sub: p.get('username') || 'alice@example.test',
        scope: p.get('scope') ?? 'openid',
      });
      this.events.push('authorize');
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('code', code);
      if (p.get('state')) back.searchParams.set('state', p.get('state')!);
      res.writeHead(302, { location: back.toString() }).end();
      return true;
    }
    if (path === '/token' && req.method === 'POST') {
      const p = await body(req);
      const error = (description: string, error = 'invalid_grant') =>
        json(400, { error, error_description: description });
      if (p.get('client_id') !== this.opts.clientId)
        return (error('unknown client', 'invalid_client'), true);
      if (p.get('grant_type') === 'authorization_code') {
        const grant = this.codes.get(p.get('code') ?? '');
        this.codes.delete(p.get('code') ?? '');
        if (!grant) return (error('unknown or used code'), true);
        if (grant.redirectUri !== p.get('redirect_uri'))
          return (error('redirect_uri differs'), true);
        const verifier = p.get('code_verifier');
        if (!verifier || s256(verifier) !== grant.challenge) {
          this.events.push('token:bad-verifier');
          return (error('code_verifier does not match the code_challenge (S256)'), true);
        }
        this.events.push('token:code');
        json(200, await this.tokens(grant.sub, grant.scope, grant.nonce, true));
        return true;
      }
      if (p.get('grant_type') === 'refresh_token') {
        const held = this.refreshTokens.get(p.get('refresh_token') ?? '');
        if (!held || this.refuseRefresh) {
          this.events.push('token:refresh-refused');
          return (error('refresh token expired or revoked'), true);
        }
        this.events.push('token:refresh');
        // Like Cognito: a new access and ID token, the same refresh token.
        json(200, await this.tokens(held.sub, held.scope, undefined, false));
        return true;
      }
      return (error('unsupported grant_type', 'unsupported_grant_type'), true);
    }
    if (path === '/revoke' && req.method === 'POST') {
      const p = await body(req);
      this.refreshTokens.delete(p.get('token') ?? '');
      this.events.push('revoke');
      res.writeHead(200, cors).end();
      return true;
    }
    if (path === '/logout') {
      this.events.push('logout');
      const to =
        url.searchParams.get('logout_uri') ?? url.searchParams.get('post_logout_redirect_uri');
      const allowed =
        to && this.opts.redirectUris.some((u) => new URL(u).origin === new URL(to).origin);
      res.writeHead(allowed ? 302 : 400, allowed ? { location: to } : {}).end();
      return true;
    }
    return false;
  }

  private checkAuthorize(p: URLSearchParams): string | undefined {
    if (p.get('client_id') !== this.opts.clientId) return 'unknown client_id';
    if (!this.opts.redirectUris.includes(p.get('redirect_uri') ?? ''))
      return 'redirect_uri not allowed';
    if (p.get('response_type') !== 'code') return 'only response_type=code';
    if (p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge'))
      return 'PKCE with S256 is required';
    return undefined;
  }

  /** An access token the local stack (`--auth`, same key) accepts until `exp` (+ its skew). */
  async accessToken(sub: string, { iat, exp }: TokenLifetime): Promise<string> {
    const scopes = this.opts.scopes ?? ['instances:read', 'instances:write', 'instances:admin'];
    return new SignJWT({ scope: scopes.join(' ') })
      .setProtectedHeader({ alg: 'ES256', kid: this.opts.keys.privateJwk.kid!, typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(await importJWK(this.opts.keys.privateJwk, 'ES256'));
  }

  private async tokens(
    sub: string,
    scope: string,
    nonce: string | undefined,
    withRefresh: boolean,
  ) {
    const key = await importJWK(this.opts.keys.privateJwk, 'ES256');
    const kid = this.opts.keys.privateJwk.kid!;
    const accessToken = await this.accessToken(sub, this.lifetime());
    const now = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT({ email: sub, ...(nonce ? { nonce } : {}) })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(this.authority)
      .setAudience(this.opts.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(key);
    this.issued.push(accessToken);
    let refreshToken: string | undefined;
    if (withRefresh) {
      refreshToken = b64url(randomBytes(32));
      this.refreshTokens.set(refreshToken, { sub, scope });
    }
    return {
      access_token: accessToken,
      id_token: idToken,
      token_type: 'Bearer',
      expires_in: 3600,
      scope,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    };
  }
}
