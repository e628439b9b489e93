/**
 * Through the local gateway: a JSON body that is not valid UTF-8 is a 400 in the error shape,
 * and nothing is created. Needs two changes outside the text rules: the local gateway passes
 * such a body on base64-encoded (infra/local/apigw-http.ts) and `jsonBody` decodes strictly
 * (shared/http/middleware.ts).
 */
import { describe, expect, it } from 'vitest';
import { api, stack, uniqueName } from '../support/api.ts';

async function postBytes(bytes: Uint8Array) {
  const res = await fetch(`${stack().url}/api/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: bytes,
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('a request body that is not valid UTF-8', () => {
  it('is a 400 and creates nothing', async () => {
    const name = uniqueName('latin1');
    // "é" as one Latin-1 byte (0xE9) where UTF-8 needs two.
    const bytes = Buffer.concat([
      Buffer.from(`{"name":"${name}-`),
      Buffer.from([0xe9]),
      Buffer.from('","model_name":"m","cluster_name":"c","image_tag":"i"}'),
    ]);

    const res = await postBytes(bytes);

    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('BadRequest');
    expect(res.body.error.message).toBe('Request body is not valid UTF-8');
    const listed = await api('GET', `/api/instances?name=${encodeURIComponent(name)}`);
    expect(listed.body.items).toEqual([]);
  });

  it('while the same body in UTF-8 is created', async () => {
    const name = `${uniqueName('utf8')}-é`;
    const res = await postBytes(
      Buffer.from(`{"name":"${name}","model_name":"m","cluster_name":"c","image_tag":"i"}`),
    );
    expect(res.status).toBe(201);
    expect(res.body.name).toBe(name);
  });
});
