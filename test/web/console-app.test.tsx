// @vitest-environment jsdom
/** The console as a whole in jsdom (test/web/support/app.tsx): routes, layout and pages. */
import './support/jsdom.ts';
import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { anInstance } from '../support/instance-fixture.ts';
import { notificationsStore } from '@mantine/notifications';
import {
  ConflictError,
  NotFoundError,
  type InstanceList,
  type ListInstancesQuery,
} from '../../client/index.ts';
import { createsApi, emptyStats, fakeApi, listPage, renderApp } from './support/app.tsx';

describe('a URL with values the console does not know', () => {
  it('renders the instances page with the defaults for the bad keys, the good ones kept', async () => {
    const listInstances = vi.fn(async () => listPage([anInstance({ id: 5, name: 'llama-1' })]));
    const { router } = renderApp(
      '/?status=bogus&priority=urgent&limit=5000&sort=evil&q=llama&order=asc',
      fakeApi({ listInstances, instanceStats: async () => emptyStats }),
    );
    await screen.findByRole('link', { name: 'llama-1' });
    expect(screen.getByRole('searchbox', { name: 'Search' })).toHaveProperty('value', 'llama');
    expect(listInstances).toHaveBeenCalledWith(
      { limit: 50, search: 'llama', sort_by: 'created_at', sort_order: 'asc' },
      expect.anything(),
    );
    // The address bar drops what was not applied, in place (the router rebuilds the URL from the
    // validated search on load): a copied link carries only what the page shows.
    await waitFor(() => expect(router.state.location.searchStr).toBe('?q=llama&order=asc'));
    expect(router.history.length).toBe(1);
  });
});

describe('a page that fails to render', () => {
  it('shows the error in place of the page; the header and its navigation stay', async () => {
    // A malformed answer (no envs) makes the edit form throw while rendering.
    const broken = { ...anInstance({ id: 20, name: 'broken' }), envs: undefined };
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    renderApp('/instances/20', fakeApi({ getInstance: async () => broken }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/could not be shown/);
    expect(within(alert).getByRole('link', { name: 'Back to the instances' })).toBeTruthy();
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Audit log' })).toBeTruthy();
  });
});

describe('bulk selection', () => {
  const named = (prefix: string, from: number) =>
    [0, 1, 2].map((n) => anInstance({ id: from + n, name: `${prefix}-${n}` }));
  const listInstances = vi.fn(async (q: ListInstancesQuery) =>
    q.search === 'whisper'
      ? listPage(named('whisper', 10))
      : q.cursor === 'p2'
        ? listPage(named('llama-p2', 20))
        : ({ items: named('llama', 1), next_cursor: 'p2' } as unknown as InstanceList),
  );
  const api = fakeApi({ listInstances, instanceStats: async () => emptyStats });
  const bulkBar = () => screen.queryByRole('region', { name: 'Bulk actions' });

  async function selectAllOnPage() {
    const all = await screen.findByRole('checkbox', { name: 'Select all on this page' });
    await userEvent.click(all);
    expect(bulkBar()?.textContent).toMatch(/3 selected/);
  }

  it('is cleared by a new search: no action on rows the operator cannot see', async () => {
    renderApp('/?q=llama', api);
    await screen.findByRole('link', { name: 'llama-0' });
    await selectAllOnPage();
    const box = screen.getByRole('searchbox', { name: 'Search' });
    await userEvent.clear(box);
    await userEvent.type(box, 'whisper');
    await screen.findByRole('link', { name: 'whisper-0' }, { timeout: 3000 });
    expect(bulkBar()).toBeNull();
    for (const c of screen.getAllByRole('checkbox', { name: /^Select whisper/ }))
      expect(c).toHaveProperty('checked', false);
  });

  it('is cleared by another page, and by another sort', async () => {
    renderApp('/?q=llama', api);
    await screen.findByRole('link', { name: 'llama-0' });
    await selectAllOnPage();
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByRole('link', { name: 'llama-p2-0' });
    expect(bulkBar()).toBeNull();

    await selectAllOnPage();
    await userEvent.click(screen.getByRole('button', { name: /^Name/ }));
    await waitFor(() => expect(bulkBar()).toBeNull());
  });
});

describe('unsaved changes on the edit and create forms', () => {
  const current = anInstance({ id: 20, name: 'llama-edit', replicas: 1 });
  const editApi = () =>
    fakeApi({
      getInstance: async () => current,
      patchInstance: vi.fn(async () => ({ ...current, replicas: 4, version: 2 })),
      listInstances: async () => listPage([]),
      instanceStats: async () => emptyStats,
    });
  const replicas = () => screen.getByRole('textbox', { name: 'Replicas' });
  const pressOnPage = async (key: string) => {
    // Focus on the page, not in a field: where one-key shortcuts act.
    (document.activeElement as HTMLElement | null)?.blur();
    await userEvent.keyboard(key);
  };
  const guard = () => screen.queryByRole('dialog', { name: 'Discard unsaved changes?' });

  it('a shortcut or a link asks first; "Keep editing" keeps the edit, "Discard" leaves', async () => {
    const { router } = renderApp('/instances/20', editApi());
    await screen.findByRole('heading', { name: 'llama-edit', level: 1 });
    await userEvent.clear(replicas());
    await userEvent.type(replicas(), '4');

    await pressOnPage('n');
    await waitFor(() => expect(guard()).not.toBeNull());
    expect(router.state.location.pathname).toBe('/instances/20');
    await userEvent.click(screen.getByRole('button', { name: 'Keep editing' }));
    await waitFor(() => expect(guard()).toBeNull());
    expect(router.state.location.pathname).toBe('/instances/20');
    expect(replicas()).toHaveProperty('value', '4');

    const nav = screen.getByRole('navigation', { name: 'Main' });
    await userEvent.click(within(nav).getByRole('link', { name: 'Operations' }));
    await waitFor(() => expect(guard()).not.toBeNull());
    expect(router.state.location.pathname).toBe('/instances/20');
    await userEvent.click(screen.getByRole('button', { name: 'Discard changes' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/operations'));
  });

  it('does not ask once the edit is saved', async () => {
    const { router } = renderApp('/instances/20', editApi());
    await screen.findByRole('heading', { name: 'llama-edit', level: 1 });
    await userEvent.clear(replicas());
    await userEvent.type(replicas(), '4');
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await screen.findByText(/Saved llama-edit \(version 2\)/);
    await pressOnPage('n');
    await waitFor(() => expect(router.state.location.pathname).toBe('/instances/new'));
    expect(guard()).toBeNull();
  });

  it('asks for an env value typed before its name: leaving would lose it too', async () => {
    const { router } = renderApp('/instances/20', editApi());
    await screen.findByRole('heading', { name: 'llama-edit', level: 1 });
    await userEvent.click(screen.getByRole('button', { name: 'Add variable' }));
    // An empty new row is nothing to lose.
    await pressOnPage('n');
    await waitFor(() => expect(router.state.location.pathname).toBe('/instances/new'));
    expect(guard()).toBeNull();

    await router.navigate({ to: '/instances/$id', params: { id: 20 } });
    await screen.findByRole('heading', { name: 'llama-edit', level: 1 });
    await userEvent.click(screen.getByRole('button', { name: 'Add variable' }));
    const rows = screen.getAllByRole('textbox', { name: /^Variable \d+ value$/ });
    await userEvent.type(rows[rows.length - 1]!, '/models');
    await pressOnPage('n');
    await waitFor(() => expect(guard()).not.toBeNull());
    expect(router.state.location.pathname).toBe('/instances/20');
  });

  it('create: asks before a typed form is left, not after it was created', async () => {
    const created = anInstance({ id: 31, name: 'new-one' });
    const { router } = renderApp('/instances/new', createsApi(created));
    await screen.findByRole('heading', { name: 'New instance' });
    // Nothing typed yet: leaving is free.
    await userEvent.click(screen.getByRole('link', { name: 'Audit log' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/history'));
    await router.navigate({ to: '/instances/new' });
    const name = await screen.findByRole('textbox', { name: 'Name' });
    await userEvent.type(name, 'new-one');
    await userEvent.click(screen.getByRole('link', { name: '← Instances' }));
    await waitFor(() => expect(guard()).not.toBeNull());
    await userEvent.click(screen.getByRole('button', { name: 'Keep editing' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Model' }), 'm');
    await userEvent.type(screen.getByRole('textbox', { name: 'Cluster' }), 'c');
    await userEvent.type(screen.getByRole('textbox', { name: 'Image tag' }), 't');
    await userEvent.click(screen.getByRole('button', { name: 'Create instance' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/instances/31'));
    expect(guard()).toBeNull();
  });
});

describe('history of an instance', () => {
  const notFound = (message: string) =>
    new NotFoundError({
      status: 404,
      type: 'NotFound',
      message,
      headers: new Headers(),
      body: {},
    });
  const deleteRecord = {
    history_id: 7,
    instance_id: 20,
    version: 2,
    operation_type: 'delete',
    actor: 'alice',
    operation_timestamp: '2026-01-02T00:00:00.000Z',
    snapshot: anInstance({ id: 20, name: 'gone' }),
    changes: { name: { old: 'gone', new: null } },
  };

  it('an id that never existed: only the not-found state', async () => {
    renderApp(
      '/instances/999999/history',
      fakeApi({
        getInstance: async () => Promise.reject(notFound('Instance 999999 not found')),
        listHistory: async () => Promise.reject(notFound('Instance 999999 not found')),
      }),
    );
    await screen.findByRole('heading', { name: 'Instance not found', level: 1 });
    expect(screen.queryByText(/This instance is deleted/)).toBeNull();
    expect(screen.queryByText(/Could not load the history/)).toBeNull();
    expect(screen.getByRole('link', { name: 'Back to the instances' })).toBeTruthy();
  });

  it('a restore the server refuses (409, the name is taken) says so once, in the dialog', async () => {
    const taken = new ConflictError({
      status: 409,
      type: 'Conflict',
      message: "An instance named 'gone' already exists",
      requestId: 'req-1',
      headers: new Headers(),
      body: {},
    });
    const restoreInstance = vi.fn(async () => Promise.reject(taken));
    renderApp(
      '/instances/20/history?restore=7',
      fakeApi({
        getInstance: async () => Promise.reject(notFound('Instance 20 not found')),
        listHistory: async () => ({ items: [deleteRecord], next_cursor: null, total: 1 }) as never,
        getHistoryRecord: async () => deleteRecord as never,
        call: async () => ({ recreates: true, current_version: null, differences: [] }) as never,
        restoreInstance,
      }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Restore version 2?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Restore version 2' }));
    await within(dialog).findByText(/already exists \(request req-1\)/);
    expect(restoreInstance).toHaveBeenCalledTimes(1);
    // Previewed as deleted: restored only while it still is.
    expect(restoreInstance).toHaveBeenCalledWith(20, 7, { ifNoneMatch: '*' });
    // No toast on top: the global handler stays quiet for this mutation.
    const { notifications, queue } = notificationsStore.getState();
    const about409 = [...notifications, ...queue].filter((n) =>
      String(n.message).includes('already exists'),
    );
    expect(about409).toEqual([]);
    expect(screen.getAllByText(/already exists/)).toHaveLength(1);
  });

  it('a deleted instance: its history, and how to bring it back', async () => {
    renderApp(
      '/instances/20/history',
      fakeApi({
        getInstance: async () => Promise.reject(notFound('Instance 20 not found')),
        listHistory: async () => ({ items: [deleteRecord], next_cursor: null, total: 1 }) as never,
      }),
    );
    await screen.findByText(/This instance is deleted/);
    expect(screen.getByRole('list', { name: 'History' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Instance not found' })).toBeNull();
  });
});

describe('audit log: the "Instance ids" field', () => {
  it('says what is wrong with a typed value instead of filtering by something else', async () => {
    const searchHistory = vi.fn(async () => ({ items: [], next_cursor: null }) as never);
    renderApp('/history', fakeApi({ searchHistory }));
    const field = await screen.findByRole('textbox', { name: 'Instance ids' });
    await waitFor(() => expect(searchHistory).toHaveBeenCalled());

    await userEvent.type(field, 'abc');
    await screen.findByText('Not an instance id: abc');
    expect(field.getAttribute('aria-invalid')).toBe('true');

    await userEvent.clear(field);
    await userEvent.type(field, '20, abc');
    await screen.findByText('Not an instance id: abc');

    await userEvent.clear(field);
    await userEvent.type(field, '20, 21');
    await waitFor(
      () =>
        expect(searchHistory).toHaveBeenLastCalledWith(
          expect.objectContaining({ instance_ids: [20, 21] }),
          expect.anything(),
        ),
      { timeout: 3000 },
    );
    expect(field.getAttribute('aria-invalid')).not.toBe('true');
    // Only the valid value ever reached a request.
    const sent = searchHistory.mock.calls.map((c) => (c as unknown[])[0] as object);
    expect(sent.filter((q) => 'instance_ids' in q)).toEqual(
      sent.filter((q) => JSON.stringify(q).includes('[20,21]')),
    );
  });

  it('"Clear filters" empties a value that never reached the URL', async () => {
    const { router } = renderApp(
      '/history',
      fakeApi({ searchHistory: async () => ({ items: [], next_cursor: null }) as never }),
    );
    const field = await screen.findByRole('textbox', { name: 'Instance ids' });
    await userEvent.type(field, 'abc');
    await screen.findByText('Not an instance id: abc');
    await userEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(field).toHaveProperty('value', ''));
    expect(screen.queryByText('Not an instance id: abc')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Clear filters' })).toBeNull();
    expect(router.state.location.search).toEqual({});
  });
});
