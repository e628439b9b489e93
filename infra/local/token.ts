/**
 * `npm run token -- --sub NAME --scopes instances:read,instances:write [--ttl 3600] [--data-dir .data]`
 * prints, as its last line, a token that `npm start -- --auth` accepts.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateKeys, mintToken } from './auth.ts';

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    scopes: { type: 'string', default: 'instances:read' },
    ttl: { type: 'string', default: '3600' },
    'data-dir': { type: 'string', default: '.data' },
  },
});
if (!values.sub) {
  console.error(
    'usage: npm run token -- --sub NAME [--scopes instances:read,instances:write,instances:admin] [--ttl SECONDS]',
  );
  process.exit(2);
}
const keys = await loadOrCreateKeys(resolve(values['data-dir']));
const scopes = values.scopes
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
console.error(`token for sub=${values.sub} scopes=${scopes.join(' ')} valid ${values.ttl}s`);
console.log(await mintToken(keys, { sub: values.sub, scopes, ttlSeconds: Number(values.ttl) }));
