/**
 * `npm run token -- --sub NAME --scopes instances:read,instances:write [--ttl 3600] [--data-dir .data]`
 * prints, as its last line, a token that `npm start -- --auth` accepts. `--ttl` is at most the
 * verifier's maximum token lifetime (24 h, `TOKEN_LIMITS` in shared/config/auth.ts).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateKeys, mintToken } from './auth.ts';
import { TOKEN_LIMITS } from '../../shared/config/auth.ts';

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    scopes: { type: 'string', default: 'instances:read' },
    ttl: { type: 'string', default: '3600' },
    'data-dir': { type: 'string', default: '.data' },
  },
});
const MAX_TTL = TOKEN_LIMITS.maxLifetimeSeconds;
const ttl = Number(values.ttl);
// The verifier refuses a token living longer than MAX_TTL, so such a token is never minted.
if (!values.sub || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) {
  console.error(
    `usage: npm run token -- --sub NAME [--scopes instances:read,instances:write,instances:admin] [--ttl SECONDS, 1..${MAX_TTL}]`,
  );
  process.exit(2);
}
const keys = await loadOrCreateKeys(resolve(values['data-dir']));
const scopes = values.scopes
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
console.error(`token for sub=${values.sub} scopes=${scopes.join(' ')} valid ${ttl}s`);
console.log(await mintToken(keys, { sub: values.sub, scopes, ttlSeconds: ttl }));
