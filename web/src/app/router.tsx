/**
 * TanStack Router, code-based: typed params and typed, validated search params make the URL the
 * state of each view; history, diff and operations are split into chunks loaded on demand.
 */
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  redirect,
  type RouterHistory,
} from '@tanstack/react-router';
import type { QueryClient } from '@tanstack/react-query';
import type { Api } from '../lib/api.tsx';
import { instanceStatsQuery, listInstancesQuery } from '../features/instances/api/queries.ts';
import { toListQuery } from '../features/instances/search.ts';
import { Layout } from './layout.tsx';
import { NotFound } from './not-found.tsx';
import { RouteError } from './route-error.tsx';
import { InstancesPage } from './routes/instances.tsx';
import { InstancePage } from './routes/instance.tsx';
import { CreateInstancePage } from './routes/create-instance.tsx';
import { validateInstancesSearch } from '../features/instances/search.ts';
import { validateHistorySearch, validateHistorySearchAcross } from '../features/history/search.ts';
import { validateOperationsSearch } from '../features/operations/search.ts';
import { parseSearch, stringifySearch } from '../lib/search.ts';
import { CONSOLE_SIGN_IN } from '../../../shared/config/auth.ts';

/** What loaders use to start fetches before their page renders. */
export interface RouterContext {
  api: Api;
  queryClient: QueryClient;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Layout,
  notFoundComponent: NotFound,
});

const idParams = {
  parse: (p: { id: string }) => ({ id: /^\d{1,9}$/.test(p.id) ? Number(p.id) : NaN }),
  stringify: (p: { id: number }) => ({ id: String(p.id) }),
};

export const instancesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  validateSearch: validateInstancesSearch,
  loaderDeps: ({ search }) => ({ query: toListQuery(search) }),
  // Starts the page's requests when the route matches, not after its first render (which
  // costs a cold load ~170 ms on a slow machine); not awaited, so the skeleton shows at once.
  loader: ({ context: { api, queryClient }, deps }) => {
    void queryClient.prefetchQuery(listInstancesQuery(api, deps.query));
    void queryClient.prefetchQuery(instanceStatsQuery(api));
  },
  component: InstancesPage,
});

export const createInstanceRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/instances/new',
  component: CreateInstancePage,
});

export const instanceRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/instances/$id',
  params: idParams,
  component: InstancePage,
});

export const historyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/instances/$id/history',
  params: idParams,
  validateSearch: validateHistorySearch,
  component: lazyRouteComponent(() => import('./routes/history.tsx')),
});

/** History across instances (issue #13, item 4). */
export const historySearchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/history',
  validateSearch: validateHistorySearchAcross,
  component: lazyRouteComponent(() => import('./routes/history-search.tsx')),
});

export const operationsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/operations',
  validateSearch: validateOperationsSearch,
  component: lazyRouteComponent(() => import('./routes/operations.tsx')),
});

export const operationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/operations/$operationId',
  component: lazyRouteComponent(() => import('./routes/operation.tsx')),
});

/** The sign-in gate (auth/oidc-sign-in.tsx) handles the callback; signed in, it is just home. */
export const authCallbackRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: CONSOLE_SIGN_IN.callbackPath,
  beforeLoad: () => {
    throw redirect({ to: '/' });
  },
});

const routeTree = rootRoute.addChildren([
  instancesRoute,
  createInstanceRoute,
  instanceRoute,
  historyRoute,
  historySearchRoute,
  operationsRoute,
  operationRoute,
  authCallbackRoute,
]);

export function createAppRouter(context: RouterContext, history?: RouterHistory) {
  return createRouter({
    routeTree,
    context,
    parseSearch,
    stringifySearch,
    defaultPreload: 'intent',
    // Every route gets a boundary of its own inside the layout's Outlet: a page that throws
    // shows the error in place of that page, never a blank app without header or navigation.
    defaultErrorComponent: RouteError,
    scrollRestoration: true,
    ...(history ? { history } : {}),
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
