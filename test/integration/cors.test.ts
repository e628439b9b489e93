/** Browser clients: CORS preflight answered by the gateway (before auth), headers on responses. */
import { describe, expect, it } from 'vitest';
import { stack } from '../support/api.ts';

describe('CORS', () => {
  it('answers a preflight from an allowed origin with the allowed methods and headers', async () => {
    const res = await fetch(`${stack().url}/api/instances/1`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'if-match,authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(res.headers.get('access-control-allow-headers')).toContain('if-match');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('exposes ETag and X-Request-Id to an allowed origin, and nothing to others', async () => {
    const ok = await fetch(`${stack().url}/api/health`, {
      headers: { origin: 'http://localhost:5173' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(ok.headers.get('access-control-expose-headers')).toContain('etag');
    const other = await fetch(`${stack().url}/api/health`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
