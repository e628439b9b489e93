/**
 * The whole console (providers, router, layout, pages) in jsdom over a fake API: what a page
 * does with a URL, a click or a key, without a stack. Methods not given never answer.
 */
import { render } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider, createMemoryHistory } from '@tanstack/react-router';
import { ApiProvider, type Api } from '../../../web/src/lib/api.tsx';
import { createQueryClient } from '../../../web/src/lib/query-client.ts';
import { createAppRouter } from '../../../web/src/app/router.tsx';
import { cssVariablesResolver, theme } from '../../../web/src/app/app.tsx';
import type { Instance, InstanceList } from '../../../client/index.ts';

export function fakeApi(methods: Partial<Record<keyof Api, (...args: never[]) => unknown>>): Api {
  return new Proxy(methods, {
    get: (target, key) =>
      (target as Record<PropertyKey, unknown>)[key] ?? (() => new Promise(() => undefined)),
  }) as unknown as Api;
}

/** One page of the instance list holding `items`, with no more after it. */
export const listPage = (items: Instance[]): InstanceList =>
  ({ items, next_cursor: null }) as unknown as InstanceList;
/** Fleet counters of an empty fleet (the header's stats). */
export const emptyStats = { total: 0, by_status: {}, by_priority: {} };

/** An API whose create answers `created`, which then reads back, over an empty list. */
export const createsApi = (created: Instance, more: Parameters<typeof fakeApi>[0] = {}): Api =>
  fakeApi({
    createInstance: async () => created,
    getInstance: async () => created,
    listInstances: async () => listPage([]),
    instanceStats: async () => emptyStats,
    ...more,
  });

export function renderApp(url: string, api: Api) {
  const queryClient = createQueryClient();
  const router = createAppRouter(
    { api, queryClient },
    createMemoryHistory({ initialEntries: [url] }),
  );
  const view = render(
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} env="test">
      <Notifications />
      <ApiProvider api={api}>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </ApiProvider>
    </MantineProvider>,
  );
  return { ...view, router, queryClient };
}
