// @vitest-environment jsdom
/**
 * The console in jsdom over a fake API (test/web/support/app.tsx): landmarks (axe-core),
 * narrow-screen layouts, validation wording, request ids of field errors, where focus goes,
 * and a failed background refresh of the list.
 */
import './support/jsdom.ts';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import userEvent from '@testing-library/user-event';
import { anInstance } from '../support/instance-fixture.ts';
import {
  ConflictError,
  PreconditionFailedError,
  ServerError,
  ValidationError,
} from '../../client/index.ts';
import { createsApi, emptyStats, fakeApi, listPage, renderApp } from './support/app.tsx';
import { theme } from '../../web/src/app/app.tsx';
import { DiffTable } from '../../web/src/components/diff-table.tsx';
import { diffSnapshots } from '../../web/src/features/history/diff.ts';

interface AxeResult {
  violations: { id: string; nodes: { target: unknown[] }[] }[];
}
/** axe-core's landmark rules on the document as it is (the rules, not the whole run: jsdom has no layout). */
async function landmarkViolations(): Promise<string[]> {
  const g = globalThis as unknown as { axe?: { run: (...a: unknown[]) => Promise<AxeResult> } };
  if (!g.axe) {
    const src = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    new Function(src).call(window);
    g.axe = (window as unknown as typeof g).axe;
  }
  const result = await g.axe!.run(document, {
    runOnly: {
      type: 'rule',
      values: [
        'landmark-main-is-top-level',
        'landmark-no-duplicate-main',
        'landmark-no-duplicate-banner',
        'landmark-unique',
        'landmark-one-main',
        'landmark-banner-is-top-level',
      ],
    },
  });
  return result.violations.map((v) => `${v.id} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

describe('landmarks (axe): one main, one banner, with or without a dialog open', () => {
  const current = anInstance({ id: 20, name: 'llama-a11y' });
  const api = () =>
    fakeApi({
      getInstance: async () => current,
      listInstances: async () => listPage([current]),
      instanceStats: async () => emptyStats,
    });

  it('the instances page, and the help dialog over it', async () => {
    renderApp('/', api());
    await screen.findByRole('link', { name: 'llama-a11y' });
    expect(await landmarkViolations()).toEqual([]);
    expect(document.querySelectorAll('main')).toHaveLength(1);
    await userEvent.click(screen.getByRole('button', { name: 'Keyboard shortcuts' }));
    await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(await landmarkViolations()).toEqual([]);
  });

  it('the instance page, and its delete dialog', async () => {
    renderApp('/instances/20', api());
    await screen.findByRole('heading', { name: 'llama-a11y', level: 1 });
    expect(await landmarkViolations()).toEqual([]);
    await userEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    await screen.findByRole('dialog', { name: 'Delete "llama-a11y"?' });
    expect(await landmarkViolations()).toEqual([]);
  });
});

/** Makes `(max-width: …)` media queries match, as on a 375 px phone, for the test's duration. */
function narrowScreen() {
  const original = window.matchMedia;
  window.matchMedia = ((query: string) => ({
    ...original(query),
    matches: /max-width/.test(query),
  })) as typeof window.matchMedia;
  return () => {
    window.matchMedia = original;
  };
}

describe('the three-way view on a narrow screen (375 px)', () => {
  it('stacks each field: its three values, then its choice, before "Save merged version"', async () => {
    const restore = narrowScreen();
    try {
      const started = anInstance({ id: 20, name: 'llama-narrow', replicas: 1, version: 1 });
      const theirs = { ...started, replicas: 5, tp: 2, version: 2, updated_by: 'bob' };
      const patchInstance = vi.fn(
        async (_id: number, patch: object) =>
          (patchInstance.mock.calls.length === 1
            ? Promise.reject(
                new PreconditionFailedError({
                  status: 412,
                  type: 'PreconditionFailed',
                  message: 'Version mismatch',
                  requestId: 'req-412',
                  headers: new Headers(),
                  body: {},
                }),
              )
            : { ...theirs, ...patch, version: 3 }) as never,
      );
      let reads = 0;
      renderApp(
        '/instances/20',
        fakeApi({
          getInstance: async () => (reads++ === 0 ? started : theirs),
          patchInstance,
          listInstances: async () => listPage([]),
          instanceStats: async () => emptyStats,
        }),
      );
      await screen.findByRole('heading', { name: 'llama-narrow', level: 1 });
      const replicas = screen.getByRole('textbox', { name: 'Replicas' });
      await userEvent.clear(replicas);
      await userEvent.type(replicas, '3');
      await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
      const resolver = await screen.findByRole('region', { name: 'Resolve conflicting changes' });
      // No wide table to scroll sideways: a list, one item per field.
      expect(within(resolver).queryByRole('table')).toBeNull();
      const list = within(resolver).getByRole('list', { name: 'Three-way comparison' });
      const items = within(list).getAllByRole('listitem');
      expect(items.map((i) => i.textContent)).toEqual([
        expect.stringMatching(
          /^replicas conflict.*Started from \(v1\)1.*Current \(v2, bob\)5.*Your edit3/,
        ),
        expect.stringMatching(/^tp/),
      ]);
      const group = within(items[0]!).getByRole('radiogroup', { name: 'Keep for replicas' });
      const yours = within(group).getByRole('radio', { name: 'Yours' });
      expect(yours).toHaveProperty('checked', true);
      expect(yours.getAttribute('aria-describedby')).toBeTruthy();
      await userEvent.click(within(group).getByRole('radio', { name: 'Current' }));
      await userEvent.click(yours);
      // Every choice comes before the button in the document (and so on screen above it).
      const save = within(resolver).getByRole('button', { name: 'Save merged version' });
      for (const radio of within(list).getAllByRole('radio'))
        expect(radio.compareDocumentPosition(save) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
      await userEvent.click(save);
      await waitFor(() => expect(patchInstance).toHaveBeenCalledTimes(2));
      expect(patchInstance.mock.calls[1]![1]).toEqual({ replicas: 3 });
    } finally {
      restore();
    }
  });
});

describe('diff tables on a narrow screen', () => {
  it('fit the width (long values wrap): no sideways-scrolling region a keyboard cannot reach', () => {
    const before = anInstance({ id: 20, model_name: 'meta-llama/Llama-3.1-8B-Instruct' });
    const after = { ...before, model_name: 'mistralai/Mixtral-8x7B-Instruct-v0.1', version: 2 };
    render(
      <MantineProvider theme={theme}>
        <DiffTable
          rows={diffSnapshots(before, after)}
          leftLabel="v1"
          rightLabel="v2"
          caption="Differences"
        />
      </MantineProvider>,
    );
    const table = screen.getByRole('table', { name: 'Differences' });
    // Nothing between the table and the page scrolls: no ScrollArea, no overflow container.
    for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
      expect(el.className).not.toMatch(/ScrollArea|scrollContainer/);
      expect(el.getAttribute('style') ?? '').not.toMatch(/overflow/);
    }
    expect(table.getAttribute('style') ?? '').toMatch(
      /table-layout:\s*fixed|--table-layout:\s*fixed/,
    );
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Field', 'v1', 'v2']);
  });
});

describe('validation on the create form', () => {
  it('nothing before a submit; then "required" at each empty field, and the API\'s number rule', async () => {
    const createInstance = vi.fn();
    renderApp('/instances/new', fakeApi({ createInstance }));
    await screen.findByRole('heading', { name: 'New instance' });
    expect(screen.queryByText(/required/)).toBeNull();
    const replicas = screen.getByRole('textbox', { name: 'Replicas' });
    await userEvent.clear(replicas);
    await userEvent.type(replicas, '500');
    expect(screen.queryByText(/required|must be/)).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Create instance' }));
    const name = screen.getByRole('textbox', { name: 'Name' });
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getAllByText('required')).toHaveLength(4);
    expect(screen.queryByText(/empty after trim/)).toBeNull();
    expect(screen.getByText('must be an integer from 1 to 100')).toBeTruthy();
    expect(createInstance).not.toHaveBeenCalled();
  });
});

describe('field errors from the server name their request id', () => {
  const fill = async () => {
    await userEvent.type(await screen.findByRole('textbox', { name: 'Name' }), 'llama-1');
    await userEvent.type(screen.getByRole('textbox', { name: 'Model' }), 'm');
    await userEvent.type(screen.getByRole('textbox', { name: 'Cluster' }), 'c');
    await userEvent.type(screen.getByRole('textbox', { name: 'Image tag' }), 't');
    await userEvent.click(screen.getByRole('button', { name: 'Create instance' }));
  };

  it('409 (a look-alike name taken): the message at the name, the request id under the form', async () => {
    const taken = new ConflictError({
      status: 409,
      type: 'Conflict',
      message: "An instance named 'Llama-1' already exists",
      details: { name: 'Llama-1' },
      requestId: 'req-dup-1',
      headers: new Headers(),
      body: {},
    });
    renderApp('/instances/new', fakeApi({ createInstance: async () => Promise.reject(taken) }));
    await fill();
    await screen.findByText("An instance named 'Llama-1' already exists");
    const form = screen.getByRole('form', { name: 'Instance' });
    expect(within(form).getByText(/Request id/).textContent).toBe('Request id req-dup-1');
    expect(within(form).getByRole('button', { name: 'Copy request id' })).toBeTruthy();
    // Focus goes to the field, not to the request id.
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Name' })),
    );
  });

  it('422 (a name with U+200B): the detail at its field, the request id under the form', async () => {
    const invalid = new ValidationError({
      status: 422,
      type: 'ValidationError',
      message: 'Request validation failed',
      details: { name: 'must not contain invisible characters' },
      requestId: 'req-422-7',
      headers: new Headers(),
      body: {},
    });
    renderApp('/instances/new', fakeApi({ createInstance: async () => Promise.reject(invalid) }));
    await fill();
    await screen.findByText('must not contain invisible characters');
    expect(screen.getByText(/Request id/).textContent).toBe('Request id req-422-7');
  });
});

describe('focus is never lost to <body>', () => {
  const heading = (name: string) => screen.getByRole('heading', { name, level: 1 });

  it('Escape on the bulk "Change status" dialog: back to the bulk bar\'s menu button', async () => {
    const rows = [anInstance({ id: 1, name: 'a-1' }), anInstance({ id: 2, name: 'a-2' })];
    renderApp(
      '/',
      fakeApi({ listInstances: async () => listPage(rows), instanceStats: async () => emptyStats }),
    );
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Select a-1' }));
    const bar = screen.getByRole('region', { name: 'Bulk actions' });
    const menuButton = within(bar).getByRole('button', { name: 'Set status…' });
    await userEvent.click(menuButton);
    await userEvent.click(await screen.findByRole('menuitem', { name: 'inactive' }));
    await screen.findByRole('dialog', { name: 'Change status' });
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Change status' })).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(menuButton));

    await userEvent.click(within(bar).getByRole('button', { name: 'Delete…' }));
    await screen.findByRole('dialog', { name: 'Delete instances' });
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() =>
      expect(document.activeElement).toBe(within(bar).getByRole('button', { name: 'Delete…' })),
    );
  });

  it('a 412 replaces the form with the three-way view: its heading takes the focus', async () => {
    const started = anInstance({ id: 20, name: 'llama-412', replicas: 1, version: 1 });
    const theirs = { ...started, tp: 2, version: 2, updated_by: 'bob' };
    let reads = 0;
    renderApp(
      '/instances/20',
      fakeApi({
        getInstance: async () => (reads++ === 0 ? started : theirs),
        patchInstance: async () =>
          Promise.reject(
            new PreconditionFailedError({
              status: 412,
              type: 'PreconditionFailed',
              message: 'Version mismatch',
              headers: new Headers(),
              body: {},
            }),
          ),
        listInstances: async () => listPage([]),
        instanceStats: async () => emptyStats,
      }),
    );
    await screen.findByRole('heading', { name: 'llama-412', level: 1 });
    const replicas = screen.getByRole('textbox', { name: 'Replicas' });
    await userEvent.clear(replicas);
    await userEvent.type(replicas, '3');
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    const resolver = await screen.findByRole('region', { name: 'Resolve conflicting changes' });
    await waitFor(() =>
      expect(document.activeElement).toBe(
        within(resolver).getByRole('heading', { name: 'Resolve conflicting changes' }),
      ),
    );
  });

  it("after a create, the new instance's heading; after a delete, the list's", async () => {
    const created = anInstance({ id: 31, name: 'new-one' });
    const { router } = renderApp(
      '/instances/new',
      createsApi(created, { deleteInstance: async () => undefined }),
    );
    await userEvent.type(await screen.findByRole('textbox', { name: 'Name' }), 'new-one');
    await userEvent.type(screen.getByRole('textbox', { name: 'Model' }), 'm');
    await userEvent.type(screen.getByRole('textbox', { name: 'Cluster' }), 'c');
    await userEvent.type(screen.getByRole('textbox', { name: 'Image tag' }), 't');
    await userEvent.click(screen.getByRole('button', { name: 'Create instance' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/instances/31'));
    await waitFor(() => expect(document.activeElement).toBe(heading('new-one')));

    await userEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete "new-one"?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete new-one' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/'));
    await waitFor(() => expect(document.activeElement).toBe(heading('Instances')));
  });
});

describe('a failed background refresh of the instance list', () => {
  it('keeps the rows and says so: since when, the request id, and a Retry', async () => {
    const rows = [anInstance({ id: 1, name: 'kept-1' })];
    let failing = false;
    const listInstances = vi.fn(async () =>
      failing
        ? Promise.reject(
            new ServerError({
              status: 500,
              type: 'InternalError',
              message: 'Internal error',
              requestId: 'req-500-1',
              headers: new Headers(),
              body: {},
            }),
          )
        : listPage(rows),
    );
    const { queryClient } = renderApp(
      '/',
      fakeApi({ listInstances, instanceStats: async () => emptyStats }),
    );
    await screen.findByRole('link', { name: 'kept-1' });
    expect(screen.queryByText('Could not refresh')).toBeNull();

    // A live change makes the list refetch; the server fails (and fails the retry).
    failing = true;
    void queryClient.invalidateQueries();
    const notice = (await screen.findByText('Could not refresh', {}, { timeout: 5000 })).closest(
      '[role="status"]',
    ) as HTMLElement;
    expect(notice.textContent).toMatch(
      /Showing data from \d\d:\d\d:\d\d\. Internal error \(request req-500-1\)/,
    );
    expect(screen.getByRole('link', { name: 'kept-1' })).toBeTruthy();
    // A polite status, not an alert in place of the rows.
    expect(notice.getAttribute('role')).toBe('status');
    expect(screen.queryByText('Could not load instances')).toBeNull();

    failing = false;
    await userEvent.click(within(notice).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByText('Could not refresh')).toBeNull());
    expect(screen.getByRole('link', { name: 'kept-1' })).toBeTruthy();
  });
});
