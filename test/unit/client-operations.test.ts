/**
 * The typed client's request table comes from the route definitions: method, path and retry
 * flags from the generated key table, input and output types from the definitions.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { route, type OperationInput, type OperationOutput } from '../../client/operations.ts';
import { InstancesClient, type Instance, type InstanceList } from '../../client/index.ts';

describe('route(): method, path and retry flags by operationId', () => {
  it('fills in and percent-encodes path parameters', () => {
    expect(route('restoreInstance', { id: 5, history_id: 'a/b c' })).toEqual({
      method: 'POST',
      path: '/api/instances/5/restore/a%2Fb%20c',
      idempotent: true,
      safe: false,
    });
  });

  it('marks a read sent as POST safe to retry', () => {
    expect(route('batchCompareHistory')).toMatchObject({ method: 'POST', safe: true });
  });

  it('refuses a missing path parameter instead of calling a wrong URL', () => {
    expect(() => route('getInstance')).toThrow('path parameter id is missing');
  });
});

describe('call(): any operation, typed from its definition', () => {
  it('sends the request its route declares and returns the parsed body', async () => {
    // Prepare: a fetch that records the request and answers like the API.
    const seen: { method: string; url: string; headers: Record<string, string> }[] = [];
    const client = new InstancesClient({
      baseUrl: 'http://api.test',
      fetch: async (input, init) => {
        seen.push({
          method: init?.method ?? 'GET',
          url: String(input),
          headers: init?.headers as Record<string, string>,
        });
        return new Response(JSON.stringify({ id: 7, name: 'llama' }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    // Act
    const got = await client.call('getInstanceByName', { params: { name: 'LLAMA 70B' } });
    await client.call('createInstance', {
      body: { name: 'x', model_name: 'm', cluster_name: 'c', image_tag: 'i' },
    });
    // Assess
    expect(got).toEqual({ id: 7, name: 'llama' });
    expect(seen[0]).toMatchObject({
      method: 'GET',
      url: 'http://api.test/api/instances/by-name/LLAMA%2070B',
    });
    // createInstance is idempotent: the client sends a key, so the POST may be retried.
    expect(seen[1]!.method).toBe('POST');
    expect(seen[1]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('types input and output from the route definition', () => {
    expectTypeOf<OperationOutput<'getInstance'>>().toEqualTypeOf<Instance>();
    expectTypeOf<OperationOutput<'listInstances'>>().toEqualTypeOf<InstanceList>();
    expectTypeOf<OperationInput<'getInstance'>>().toMatchTypeOf<{
      params: { id: string | number };
    }>();
  });
});
