/**
 * The one JWT verifier (HTTP in `--auth` mode and WebSocket `$connect`): a `kid` from the JWKS,
 * `exp` and `iat` required, lifetime ≤ 24 h, 60 s clock skew. The same cases go through the
 * real gateway and `$connect` in test/security/owasp.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importJWK, type JWTPayload } from 'jose';
import { createVerifier } from '../../shared/auth/jwt.ts';
import { TOKEN_LIMITS } from '../../shared/config/auth.ts';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadOrCreateKeys,
  localKeySet,
  mintToken,
} from '../../infra/local/auth.ts';

type Keys = Awaited<ReturnType<typeof loadOrCreateKeys>>;
let keys: Keys;
let verify: ReturnType<typeof createVerifier>;
const now = () => Math.floor(Date.now() / 1000);
const DAY = 24 * 60 * 60;
const YEAR = 365 * DAY;

/** Signs exactly the claims and header given with the local key (no defaults added). */
async function sign(claims: JWTPayload, header: { kid?: string } = { kid: keys.privateJwk.kid! }) {
  const key = await importJWK(keys.privateJwk, 'ES256');
  return new SignJWT({ iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: 'x', ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...header })
    .sign(key);
}

beforeAll(async () => {
  keys = await loadOrCreateKeys(mkdtempSync(join(tmpdir(), 'jwt-')));
  verify = createVerifier(
    { issuer: LOCAL_ISSUER, audiences: [LOCAL_AUDIENCE], jwksUrl: '' },
    localKeySet(keys),
  );
});

describe('createVerifier', () => {
  it('accepts what mintToken (npm run token) issues, default and longest lifetime', async () => {
    const token = await mintToken(keys, { sub: 'alice', scopes: ['instances:read'] });
    expect(await verify(token)).toMatchObject({ sub: 'alice', scope: 'instances:read' });
    const longest = await mintToken(keys, {
      sub: 'alice',
      scopes: [],
      ttlSeconds: TOKEN_LIMITS.maxLifetimeSeconds,
    });
    expect(await verify(longest)).toMatchObject({ sub: 'alice' });
  });

  it('documents its limits: 24 h lifetime, 60 s skew', () => {
    expect(TOKEN_LIMITS).toEqual({ maxLifetimeSeconds: DAY, clockSkewSeconds: 60 });
  });

  it.each([
    ['no kid', async () => sign({ iat: now(), exp: now() + 600 }, {})],
    ['a kid not in the JWKS', async () => sign({ iat: now(), exp: now() + 600 }, { kid: 'other' })],
    ['no exp', async () => sign({ iat: now() })],
    ['no iat', async () => sign({ exp: now() + 600 })],
    [
      'iat ten years ahead',
      async () => sign({ iat: now() + 10 * YEAR, exp: now() + 10 * YEAR + 600 }),
    ],
    ['iat beyond the skew', async () => sign({ iat: now() + 120, exp: now() + 600 })],
    ['nbf beyond the skew', async () => sign({ iat: now(), nbf: now() + 120, exp: now() + 600 })],
    ['exp a century out', async () => sign({ iat: now(), exp: now() + 100 * YEAR })],
    ['a lifetime one second over 24 h', async () => sign({ iat: now(), exp: now() + DAY + 1 })],
    ['exp past the skew', async () => sign({ iat: now() - 600, exp: now() - 61 })],
    ['a non-numeric exp', async () => sign({ iat: now(), exp: 'never' as unknown as number })],
  ])('refuses a token with %s', async (_what, make) => {
    expect(await verify(await make())).toBeNull();
  });

  it.each([
    ['iat within the skew', async () => sign({ iat: now() + 30, exp: now() + 600 })],
    ['nbf within the skew', async () => sign({ iat: now(), nbf: now() + 30, exp: now() + 600 })],
    ['exp just past, within the skew', async () => sign({ iat: now() - 600, exp: now() - 30 })],
  ])('tolerates clock skew: accepts %s', async (_what, make) => {
    expect(await verify(await make())).toMatchObject({ sub: 'x' });
  });
});

describe('mintToken', () => {
  it('refuses to mint a token the verifier would refuse for its lifetime', async () => {
    await expect(
      mintToken(keys, { sub: 'a', scopes: [], ttlSeconds: TOKEN_LIMITS.maxLifetimeSeconds + 1 }),
    ).rejects.toThrow(RangeError);
  });
});
