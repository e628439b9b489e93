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

export function fakeApi(methods: Partial<Record<keyof Api, (...args: never[]) => unknown>>): Api {
  return new Proxy(methods, {
    get: (target, key) =>
      (target as Record<PropertyKey, unknown>)[key] ?? (() => new Promise(() => undefined)),
  }) as unknown as Api;
}

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
