/**
 * Local JWT issuer for `npm start -- --auth`: an ES256 key pair kept in the data folder
 * (`<data>/auth/`), its public JWKS served at /.well-known/jwks.json, and `mintToken` for
 * `npm run token` and the tests. The same verification code as deployed checks the tokens.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, createLocalJWKSet, type JWK } from 'jose';
import { TOKEN_LIMITS } from '../../shared/config/auth.ts';

export const LOCAL_ISSUER = 'https://auth.inference-instances.local';
export const LOCAL_AUDIENCE = 'inference-instances';

interface KeyFiles {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function loadOrCreateKeys(dataDir: string): Promise<KeyFiles> {
  const dir = join(dataDir, 'auth');
  const file = join(dir, 'signing-key.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as KeyFiles;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const keys: KeyFiles = {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

export const jwksOf = (keys: KeyFiles) => ({ keys: [keys.publicJwk] });
export const localKeySet = (keys: KeyFiles) => createLocalJWKSet(jwksOf(keys));

export interface MintOptions {
  sub: string;
  scopes: string[];
  /**
   * Seconds until `exp` (default 3600). At most `TOKEN_LIMITS.maxLifetimeSeconds`, which the
   * verifier enforces; a negative value mints an already expired token (for tests).
   */
  ttlSeconds?: number;
  audience?: string;
  issuer?: string;
}

export async function mintToken(keys: KeyFiles, opts: MintOptions): Promise<string> {
  const ttl = opts.ttlSeconds ?? 3600;
  // Refused here rather than minted: the verifier would answer every use of it with a bare 401.
  if (!Number.isInteger(ttl) || ttl > TOKEN_LIMITS.maxLifetimeSeconds)
    throw new RangeError(
      `ttlSeconds must be an integer of at most ${TOKEN_LIMITS.maxLifetimeSeconds} (got ${ttl})`,
    );
  const key = await importJWK(keys.privateJwk, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: opts.scopes.join(' ') })
    .setProtectedHeader({ alg: 'ES256', kid: keys.privateJwk.kid!, typ: 'JWT' })
    .setSubject(opts.sub)
    .setIssuer(opts.issuer ?? LOCAL_ISSUER)
    .setAudience(opts.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .setJti(randomUUID())
    .sign(key);
}
