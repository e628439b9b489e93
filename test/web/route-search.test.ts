/**
 * Search params through the real route tree: TanStack Router merges each route's validated
 * search over its parent's, and the root's is the raw URL, so a value a route rejects must not
 * survive in the route's search (a bad or old shared link falls back to the defaults).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryHistory } from '@tanstack/react-router';
import { QueryClient } from '@tanstack/react-query';
import { createAppRouter } from '../../web/src/app/router.tsx';
import { toListQuery, type InstancesSearch } from '../../web/src/features/instances/search.ts';
import type { Api } from '../../web/src/lib/api.tsx';

/** Loaders only prefetch: requests that never answer are enough. */
const api = new Proxy({}, { get: () => () => new Promise(() => undefined) }) as Api;

async function searchAt(url: string): Promise<Record<string, unknown>> {
  const router = createAppRouter(
    { api, queryClient: new QueryClient() },
    createMemoryHistory({ initialEntries: [url] }),
  );
  await router.load();
  // What the route's components read (`useSearch`): the leaf match's merged search.
  return router.matchRoutes(router.state.location).at(-1)!.search as Record<string, unknown>;
}

describe('a route’s search from a hand-edited or old link', () => {
  it('instances: a rejected value falls back to the default; the good keys stay', async () => {
    const search = await searchAt(
      '/?status=bogus&priority=urgent&limit=5000&sort=evil&order=up&page=0&q=llama&model=m',
    );
    expect(search).toEqual({ q: 'llama', model: 'm' });
    for (const k of ['status', 'priority', 'limit', 'sort', 'order', 'page'])
      expect(search[k], k).toBeUndefined();
    expect(toListQuery(search as InstancesSearch)).toEqual({
      limit: 50,
      search: 'llama',
      model_name: 'm',
      sort_by: 'created_at',
      sort_order: 'desc',
    });
  });

  it('instances: a partly good list keeps its good values', async () => {
    expect(await searchAt('/?status=active,bogus&priority=high')).toEqual({
      status: ['active'],
      priority: ['high'],
    });
  });

  it('history: a rejected filter, comparison or restore is dropped', async () => {
    const search = await searchAt('/instances/20/history?op=nope&compare=4,4&restore=x&q=alice');
    expect(search).toEqual({ q: 'alice' });
    for (const k of ['op', 'compare', 'restore']) expect(search[k], k).toBeUndefined();
  });

  it('audit log and operations: the same', async () => {
    const across = await searchAt('/history?op=nope&ids=abc&from=yesterday');
    for (const k of ['op', 'ids', 'from']) expect(across[k], k).toBeUndefined();
    const ops = await searchAt('/operations?status=bogus&type=bulk-update');
    expect(ops).toEqual({ type: 'bulk-update' });
    expect(ops.status).toBeUndefined();
  });
});
