/**
 * The operator console in a real Chromium (playwright-core + @sparticuz/chromium) against the
 * local stack of the test run: the core flow of the issue, keyboard-only use, live updates and
 * axe-core on each page. Elements are found by role and accessible name; every wait is on a
 * condition, never a fixed sleep.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { InstancesClient } from '../../client/index.ts';
import { stack, uniqueName } from '../support/api.ts';
import { consoleFor, type ConsoleServer } from './support/console-server.ts';
import {
  describeViolations,
  launchBrowser,
  seriousViolations,
  settled,
} from './support/browser.ts';

let server: ConsoleServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: InstancesClient;
const timings: Record<string, number> = {};

const prefix = uniqueName('web');
const base = () => server.url;

async function expectAccessible(what: string) {
  const violations = await seriousViolations(page);
  expect(violations, `${what}:\n${describeViolations(violations)}`).toEqual([]);
}

/**
 * A dialog, open and still. Under the suite's load a click aimed while it slides in can land on
 * its text instead of the button (the likeliest account of ci65, whose Cancel left it open).
 */
async function openDialog(name: string) {
  const dialog = page.getByRole('dialog', { name });
  await dialog.waitFor();
  await settled(page);
  return dialog;
}

const texts = async (l: Locator) =>
  (await l.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
const field = (name: string) => page.getByRole('textbox', { name, exact: true });

beforeAll(async () => {
  server = await consoleFor(stack().url);
  api = new InstancesClient({ baseUrl: stack().url });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  // What the page did, for the failure report: keys, clicks, focus moves and navigations, with
  // the time of day. Kept in sessionStorage, so a reload of the page shows in it too.
  await context.addInitScript(() => {
    const log = (what: string) => {
      const trace = JSON.parse(sessionStorage.getItem('__trace') ?? '[]') as string[];
      trace.push(`${new Date().toISOString().slice(11, 23)} ${what}`);
      sessionStorage.setItem('__trace', JSON.stringify(trace.slice(-200)));
    };
    const who = (t: EventTarget | null) =>
      t instanceof Element
        ? `${t.tagName.toLowerCase()}${t.id ? `#${t.id}` : ''} "${(t.textContent ?? '').trim().slice(0, 30)}"`
        : String(t);
    log(`document loaded at ${location.pathname}`);
    addEventListener('keydown', (e) => log(`key ${e.key} on ${who(e.target)}`), true);
    addEventListener('click', (e) => log(`click on ${who(e.target)}`), true);
    addEventListener('focusin', (e) => log(`focus ${who(e.target)}`), true);
    let dialogs = '';
    new MutationObserver(() => {
      const now = [...document.querySelectorAll('[role="dialog"]')]
        .map((d) => document.getElementById(d.getAttribute('aria-labelledby') ?? '')?.textContent)
        .join(', ');
      if (now !== dialogs) log(`dialogs: [${(dialogs = now)}]`);
    }).observe(document, { childList: true, subtree: true });
    const nav = (globalThis as { navigation?: EventTarget }).navigation;
    nav?.addEventListener('navigatesuccess', () => log(`at ${location.pathname}`));
  });
  page = await context.newPage();
  // What the page said while a test ran: printed with its screenshot if the test fails.
  // Recorded, then accepted: with a listener Playwright no longer dismisses dialogs itself, and
  // an unanswered one (a form's beforeunload) would stall every later test's navigation.
  page.on('dialog', (d) => {
    seen.push(`dialog ${d.type()}: ${d.message()}`);
    void d.accept().catch(() => undefined);
  });
  page.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && seen.push(`console error: ${m.text()}`));
}, 60_000);

const seen: string[] = [];
beforeEach(({ onTestFailed, task }) => {
  seen.length = 0;
  const started = new Date().toISOString().slice(11, 23);
  onTestFailed(async () => {
    const file = join(
      tmpdir(),
      `console-failed-${task.name.replace(/\W+/g, '-').slice(0, 60)}.png`,
    );
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    const trace = (await page
      .evaluate(`JSON.parse(sessionStorage.getItem('__trace') ?? '[]')`)
      .catch(() => [])) as string[];
    console.log(
      `[console browser test] "${task.name}" (started ${started}) failed at ${page.url()}; screenshot ${file}\n${seen.join('\n')}\npage trace:\n${trace.slice(-80).join('\n')}`,
    );
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  console.log(`[console browser test] timings (ms): ${JSON.stringify(timings)}`);
});

describe('operator console', () => {
  let id: number;
  const name = `${prefix}-main`;

  it('creates an instance through the form; a rejected value shows the server message at its field', async () => {
    const taken = await api.createInstance({
      name: `${prefix}-taken`,
      model_name: 'm',
      cluster_name: 'c',
      image_tag: 't',
    });
    await page.goto(`${base()}/instances/new`);
    await field('Name').fill(taken.name);
    await field('Model').fill('meta-llama/Llama-3.1-8B-Instruct');
    await field('Cluster').fill('h100-test');
    await field('Image tag').fill('vllm/vllm-openai:v0.6.3');
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByRole('textbox', { name: 'Variable 1 name' }).fill('HF_HOME');
    await page.getByRole('textbox', { name: 'Variable 1 value' }).fill('/models');
    await page.getByRole('button', { name: 'Create instance' }).click();
    // 409 from the server, shown at the name field and announced through aria-invalid.
    await expect.poll(() => field('Name').getAttribute('aria-invalid')).toBe('true');
    await page.getByText(/already exists/).waitFor();
    await expectAccessible('create page with errors');

    await field('Name').fill(name);
    await page.getByRole('button', { name: 'Create instance' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    id = Number(/\/instances\/(\d+)$/.exec(page.url())![1]);
    const created = await api.getInstance(id);
    expect(created).toMatchObject({ name, envs: { HF_HOME: '/models' }, version: 1 });
    await expectAccessible('instance page');
  });

  it('edit, a concurrent change over the API, the three-way view, resolve and save', async () => {
    await field('Replicas').fill('3');
    await field('Description').fill('from the console');
    await field('Change reason (optional)').fill('scale for the launch');
    // Someone else changes the same instance first.
    await api.patchInstance(id, { replicas: 5, tp: 2 }, { ifMatch: 1 });
    await page.getByRole('button', { name: 'Save changes' }).click();
    const resolver = page.getByRole('region', { name: 'Resolve conflicting changes' });
    await resolver.waitFor();
    await resolver.getByText('Someone else changed this instance').waitFor();
    const table = resolver.getByRole('table', { name: 'Three-way comparison' });
    await expect
      .poll(() => texts(table.getByRole('rowheader')))
      .toEqual(['replicas conflict', 'tp', 'description']);
    await expectAccessible('three-way view');
    // Keep mine for replicas (the default), take theirs for tp (only they changed it).
    await resolver
      .getByRole('radiogroup', { name: 'Keep for replicas' })
      .getByRole('radio', { name: 'Yours' })
      .check();
    await resolver.getByRole('button', { name: 'Save merged version' }).click();
    await resolver.waitFor({ state: 'detached' });
    await expect
      .poll(async () => {
        const i = await api.getInstance(id);
        return [i.version, i.replicas, i.tp, i.description];
      })
      .toEqual([3, 3, 2, 'from the console']);
  });

  it('history shows both changes; two records compare side by side; restore previews its diff', async () => {
    await page.getByRole('link', { name: 'History' }).click();
    const history = page.getByRole('list', { name: 'History' });
    await history.getByRole('listitem').nth(2).waitFor();
    await expect.poll(() => history.getByRole('listitem').count()).toBe(3);
    await history.getByRole('table', { name: 'Changes in version 2' }).getByText('5').waitFor();
    const v3 = history.getByRole('listitem').filter({ has: page.getByText('v3', { exact: true }) });
    await v3
      .getByRole('table', { name: 'Changes in version 3' })
      .getByText('from the console')
      .waitFor();
    // The change reason typed before the 412 went with the merged save.
    await v3.getByText('scale for the launch').waitFor();

    await page.getByRole('checkbox', { name: 'Compare version 1' }).check();
    await page.getByRole('checkbox', { name: 'Compare version 3' }).check();
    await page.getByRole('button', { name: 'Compare selected' }).click();
    const comparison = page.getByRole('region', { name: 'Comparison' });
    const diff = comparison.getByRole('table', { name: 'Differences between the two versions' });
    await diff.waitFor();
    await expect
      .poll(() => texts(diff.getByRole('rowheader')))
      .toEqual(['replicas modified', 'tp modified', 'description added']);
    expect(page.url()).toMatch(/compare=\d+%2C\d+|compare=\d+,\d+/);
    await expectAccessible('history with comparison');

    await page.getByRole('button', { name: 'Restore v1…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore version 1?' });
    const preview = dialog.getByRole('table', { name: 'What the restore changes' });
    await preview.waitFor();
    expect(await texts(preview.getByRole('rowheader'))).toEqual([
      'replicas modified',
      'tp modified',
      'description removed',
    ]);
    await expectAccessible('restore preview');
    await dialog.getByRole('button', { name: 'Restore version 1' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The new version arrives (live event → history refetch).
    await history
      .getByRole('listitem')
      .filter({ hasText: /restore/ })
      .first()
      .waitFor();
    expect((await api.getInstance(id)).version).toBe(4);
  });

  it('a change made over the API appears in the open table without a reload', async () => {
    await page.goto(`${base()}/?q=${prefix}`);
    const table = page.getByRole('table', { name: 'Instances' });
    const row = table
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name, exact: true }) });
    await row.waitFor();
    await page.getByRole('status', { name: 'Live updates: live' }).waitFor();
    await expectAccessible('instances page');

    let t0 = Date.now();
    await api.patchInstance(id, { replicas: 42, status: 'error' });
    await row.getByRole('cell', { name: '42', exact: true }).waitFor();
    timings.liveUpdate = Date.now() - t0;

    t0 = Date.now();
    const other = await api.createInstance({
      name: `${prefix}-live-new`,
      model_name: 'm',
      cluster_name: 'c',
      image_tag: 't',
    });
    await table.getByRole('link', { name: other.name, exact: true }).waitFor();
    timings.liveCreate = Date.now() - t0;

    t0 = Date.now();
    await api.deleteInstance(other.id);
    await table.getByRole('link', { name: other.name, exact: true }).waitFor({ state: 'detached' });
    timings.liveDelete = Date.now() - t0;
    // Generous bounds for a loaded 2-core machine; the timings are printed.
    expect(timings.liveUpdate).toBeLessThan(5_000);
  });

  it('keyboard only: n opens the form, Enter creates; ? shows help, Escape closes it', async () => {
    await page.goto(`${base()}/`);
    // The heading, not the table: an empty fleet (this test alone) shows no table.
    await page.getByRole('heading', { name: 'Instances', level: 1 }).waitFor();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await expectAccessible('help dialog');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    await page.keyboard.press('n');
    await page.getByRole('heading', { name: 'New instance' }).waitFor();
    // Each field has the focus before it is typed into: keys sent while focus is still on its
    // way go nowhere (ci61 lost a cluster and an image tag that way under the full suite).
    const focused = (id: string) =>
      expect
        .poll(() => page.evaluate('document.activeElement?.getAttribute("id")'), { timeout: 5_000 })
        .toBe(id);
    const kbName = `${prefix}-keys`;
    await focused('field-name');
    await page.keyboard.type(kbName);
    await page.keyboard.press('Tab');
    await focused('field-model_name');
    await page.keyboard.type('mistralai/Mixtral-8x7B');
    await page.keyboard.press('Tab');
    await focused('field-model_version');
    await page.keyboard.press('Tab'); // model version keeps its default
    await focused('field-cluster_name');
    await page.keyboard.type('a100-test');
    await page.keyboard.press('Tab');
    await focused('field-image_tag');
    await page.keyboard.type('vllm:1');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: kbName, level: 1 }).waitFor();

    await page.keyboard.press('/');
    await expect
      .poll(() => page.evaluate('document.activeElement?.getAttribute("id")'))
      .toBe('instance-search');
  });

  it('delete asks for a confirmation that names the instance', async () => {
    const doomed = await api.createInstance({
      name: `${prefix}-doomed`,
      model_name: 'm',
      cluster_name: 'c',
      image_tag: 't',
    });
    // An operator who asks for less motion: the dialog appears in place, nothing slides in.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    try {
      await page.goto(`${base()}/instances/${doomed.id}`);
      await page.getByRole('button', { name: 'Delete…' }).click();
      const dialog = page.getByRole('dialog', { name: `Delete "${doomed.name}"?` });
      await dialog.waitFor();
      expect(await dialog.evaluate((d) => d.getAnimations({ subtree: true }).length)).toBe(0);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
    } finally {
      await page.emulateMedia({ reducedMotion: null });
    }
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = await openDialog(`Delete "${doomed.name}"?`);
    const confirm = dialog.getByRole('button', { name: `Delete ${doomed.name}` });
    // The name is longer than the dialog is wide: the label wraps, none of it is cut off.
    expect(
      await confirm.evaluate((b) => {
        const label = b.querySelector('.mantine-Button-label')!;
        return label.scrollWidth <= label.clientWidth;
      }),
    ).toBe(true);
    await confirm.click();
    await page.getByRole('heading', { name: 'Instances', level: 1 }).waitFor();
    await expect(api.getInstance(doomed.id)).rejects.toMatchObject({ status: 404 });
  });

  it('bulk update of a selection runs as an operation with live progress', async () => {
    await page.goto(`${base()}/?q=${prefix}&sort=name&order=asc`);
    const table = page.getByRole('table', { name: 'Instances' });
    await table.getByRole('link', { name, exact: true }).waitFor();
    await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
    await page.getByRole('checkbox', { name: `Select ${prefix}-keys`, exact: true }).check();
    const bulk = page.getByRole('region', { name: 'Bulk actions' });
    await bulk.getByText('2 selected').waitFor();
    await bulk.getByRole('button', { name: 'Set status…' }).click();
    // Chosen with the keyboard, as an operator may: the menu hangs from the bulk bar, which the
    // fleet stats above it move while other writers change them, so a pointer click can wait
    // in vain for the item to hold still.
    await page.getByRole('menuitem', { name: 'inactive' }).press('Enter');
    const confirm = await openDialog('Change status');
    await confirm.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\/operations\/[0-9a-f-]{36}$/);
    const progress = page.getByRole('progressbar');
    await expect
      .poll(() => progress.getAttribute('aria-valuetext'), { timeout: 20_000 })
      .toMatch(/^100% · 2 of 2/);
    await page.getByText('succeeded', { exact: true }).first().waitFor();
    await expectAccessible('operation page');
    const [a, b] = await Promise.all([
      api.getInstance(id),
      api.listInstances({ search: `${prefix}-keys` }),
    ]);
    expect([a.status, b.items[0]?.status]).toEqual(['inactive', 'inactive']);

    await page.getByRole('link', { name: '← Operations' }).click();
    await page.getByRole('heading', { name: 'Operations', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Operations' }).waitFor();
    await expectAccessible('operations page');
  });

  it('at 375 px: the three-way choices are on screen; history, compare and restore pass axe', async () => {
    // The same page made narrow (a second context in this single-process Chromium closes it).
    const p = page;
    await p.setViewportSize({ width: 375, height: 800 });
    const inViewport = async (l: Locator) => {
      const box = await l.boundingBox();
      return !!box && box.x >= 0 && box.x + box.width <= 375;
    };
    const accessible = async (what: string) => {
      const violations = await seriousViolations(p);
      expect(violations, `${what} at 375 px:\n${describeViolations(violations)}`).toEqual([]);
    };
    try {
      const inst = await api.createInstance({
        name: `${prefix}-narrow`,
        model_name: 'meta-llama/Llama-3.1-8B-Instruct',
        cluster_name: 'h100-test',
        image_tag: 'vllm/vllm-openai:v0.6.3',
      });
      await p.goto(`${base()}/instances/${inst.id}`);
      await p.getByRole('textbox', { name: 'Replicas', exact: true }).fill('3');
      await api.patchInstance(inst.id, { replicas: 5, tp: 2 }, { ifMatch: 1 });
      await p.getByRole('button', { name: 'Save changes' }).click();
      const resolver = p.getByRole('region', { name: 'Resolve conflicting changes' });
      await resolver.waitFor();
      const keep = resolver.getByRole('radiogroup', { name: 'Keep for replicas' });
      await keep.getByRole('radio', { name: 'Yours' }).waitFor();
      // Every choice, and what it keeps, is on screen beside the button that saves it.
      const radios = await resolver.getByRole('radio').all();
      expect(radios.length).toBe(4);
      for (const radio of radios) expect(await inViewport(radio)).toBe(true);
      expect(await keep.getByRole('radio', { name: 'Yours' }).isChecked()).toBe(true);
      const save = resolver.getByRole('button', { name: 'Save merged version' });
      expect(await inViewport(save)).toBe(true);
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await accessible('three-way view');
      await save.click();
      await resolver.waitFor({ state: 'detached' });
      await expect.poll(async () => (await api.getInstance(inst.id)).version).toBe(3);

      await p.getByRole('link', { name: 'History' }).click();
      const history = p.getByRole('list', { name: 'History' });
      await expect.poll(() => history.getByRole('listitem').count()).toBe(3);
      const v3 = history.getByRole('table', { name: 'Changes in version 3' });
      await v3.waitFor();
      // The new value of a change is on screen, not in a column scrolled out of view.
      expect(await inViewport(v3.getByRole('cell', { name: '3', exact: true }))).toBe(true);
      await accessible('history');

      await p.getByRole('checkbox', { name: 'Compare version 1' }).check();
      await p.getByRole('checkbox', { name: 'Compare version 3' }).check();
      await p.getByRole('button', { name: 'Compare selected' }).click();
      const diff = p
        .getByRole('region', { name: 'Comparison' })
        .getByRole('table', { name: 'Differences between the two versions' });
      await diff.waitFor();
      expect(await inViewport(diff.getByRole('columnheader').last())).toBe(true);
      await accessible('history with comparison');

      await p.getByRole('button', { name: 'Restore v1…' }).click();
      const dialog = p.getByRole('dialog', { name: 'Restore version 1?' });
      const preview = dialog.getByRole('table', { name: 'What the restore changes' });
      await preview.waitFor();
      expect(await inViewport(preview.getByRole('columnheader').last())).toBe(true);
      await accessible('restore preview');
    } finally {
      await p.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('colour contrast (axe): an error toast with its request id, a hovered light button', async () => {
    const mk = (suffix: string) =>
      api.createInstance({
        name: `${prefix}-contrast-${suffix}`,
        model_name: 'm',
        cluster_name: 'c',
        image_tag: 't',
      });
    const [one] = await Promise.all([mk('a'), mk('b')]);
    await page.goto(`${base()}/?q=${prefix}-contrast`);
    // Both rows first: "select all" of a page still loading selects nothing.
    for (const suffix of ['a', 'b'])
      await page.getByRole('checkbox', { name: `Select ${prefix}-contrast-${suffix}` }).waitFor();
    await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    const bulk = page.getByRole('region', { name: 'Bulk actions' });
    await bulk.getByText('2 selected').waitFor();
    // The pointer stays on the button: axe measures its hover colours.
    await bulk.getByRole('button', { name: 'Set status…' }).hover();
    await expectAccessible('bulk bar, "Set status…" hovered');
    await bulk.getByRole('button', { name: 'Delete…' }).hover();
    await expectAccessible('bulk bar, "Delete…" hovered');

    // A server error (with a request id) on delete: the global error toast.
    await page.route(`**/api/instances/${one.id}`, (route) =>
      route.request().method() === 'DELETE'
        ? route.fulfill({
            status: 500,
            contentType: 'application/json',
            headers: { 'x-request-id': 'req-contrast-1' },
            body: JSON.stringify({
              error: {
                type: 'InternalError',
                message: 'Internal error',
                request_id: 'req-contrast-1',
              },
              message: 'Internal error',
            }),
          })
        : route.fallback(),
    );
    await page.goto(`${base()}/instances/${one.id}`);
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = await openDialog(`Delete "${one.name}"?`);
    await dialog.getByRole('button', { name: `Delete ${one.name}` }).click();
    await page.getByText(/request req-contrast-1/).waitFor();
    await page.mouse.move(0, 0);
    await expectAccessible('error toast');
    await page.unroute(`**/api/instances/${one.id}`);
  });
});
