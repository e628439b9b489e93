/**
 * The console's history views in a real Chromium against the shared local stack: the timeline's
 * filters (in the URL, with infinite scroll over the filtered cursor), the restore dialog showing
 * the server's preview, and the audit log (history search across instances) with cursor paging.
 * Elements are found by role and accessible name; every wait is on a condition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { InstancesClient, type Instance } from '../../client/index.ts';
import { eventually, stack, uniqueName } from '../support/api.ts';
import { consoleFor, type ConsoleServer } from './support/console-server.ts';
import { describeViolations, launchBrowser, seriousViolations } from './support/browser.ts';

let server: ConsoleServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: InstancesClient;
let a: Instance;
let b: Instance;

const prefix = uniqueName('hist');
const base = () => server.url;
/** Replicas changes made to `a` (more than one page of 25 records). */
const REPLICA_CHANGES = 28;

async function expectAccessible(what: string) {
  const violations = await seriousViolations(page);
  expect(violations, `${what}:\n${describeViolations(violations)}`).toEqual([]);
}

const texts = async (l: Locator) =>
  (await l.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
const search = () => new URL(page.url()).searchParams;

beforeAll(async () => {
  server = await consoleFor(stack().url);
  api = new InstancesClient({ baseUrl: stack().url });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();

  const input = { model_name: 'm', cluster_name: 'c', image_tag: 'vllm:1' };
  [a, b] = await Promise.all([
    api.createInstance({ name: `${prefix}-a`, ...input }),
    api.createInstance({ name: `${prefix}-b`, ...input }),
  ]);
  for (let i = 2; i < REPLICA_CHANGES + 2; i++) await api.patchInstance(a.id, { replicas: i });
  await api.patchInstance(a.id, { image_tag: 'vllm:2' }, { reason: 'new image for the rollout' });
  await api.deleteInstance(b.id);
  // History is derived from the table's stream: wait until every record is there.
  await eventually(
    async () => (await api.listHistory(a.id, { limit: 1 })).total === REPLICA_CHANGES + 2,
  );
  await eventually(async () => (await api.listHistory(b.id, { limit: 1 })).total === 2);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('history timeline filters', () => {
  const history = () => page.getByRole('list', { name: 'History' });

  it('text and date filters go to the URL and to the server; clearing them restores the list', async () => {
    await page.goto(`${base()}/instances/${a.id}/history`);
    await page.getByText(`${REPLICA_CHANGES + 2} records`).waitFor();
    await expect.poll(() => history().getByRole('listitem').count()).toBe(25);

    const filters = page.getByRole('search', { name: 'Filter history' });
    await filters.getByRole('searchbox', { name: 'Search' }).fill('rollout');
    await page.getByText('1 record match').waitFor();
    expect(search().get('q')).toBe('rollout');
    await expect.poll(() => history().getByRole('listitem').count()).toBe(1);
    await history().getByText('new image for the rollout').waitFor();

    // A day range that ends before today: nothing matches.
    const day = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const yesterday = day(new Date(Date.now() - 86_400_000));
    await filters.getByRole('textbox', { name: 'To' }).fill(yesterday);
    await page.getByText('No history records match these filters.').waitFor();
    expect(search().get('to')).toBe(yesterday);
    await expectAccessible('filtered history, empty');

    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText(`${REPLICA_CHANGES + 2} records`).waitFor();
    expect([...search().keys()]).toEqual([]);
  });

  it('a link reproduces a filtered view, and infinite scroll pages through the filtered records', async () => {
    await page.goto(`${base()}/instances/${a.id}/history?op=update&fields=replicas`);
    await page.getByText(`${REPLICA_CHANGES} records match`).waitFor();
    const filters = page.getByRole('search', { name: 'Filter history' });
    // The filter fields show the linked state.
    await filters.getByText('replicas', { exact: true }).waitFor();
    await expect.poll(() => history().getByRole('listitem').count()).toBe(25);
    // Scrolling to the end of the list loads the next filtered page.
    await history()
      .getByRole('listitem')
      .last()
      .focus()
      .catch(() => undefined);
    await page.keyboard.press('End');
    await expect.poll(() => history().getByRole('listitem').count()).toBe(REPLICA_CHANGES);
    const headers = await texts(history().getByRole('rowheader'));
    expect(new Set(headers)).toEqual(new Set(['replicas modified']));
    await expect
      .poll(() => page.getByRole('button', { name: 'Load older records' }).count())
      .toBe(0);
  });
});

describe('restore preview', () => {
  it("the dialog shows the server's preview of the restore, then restores exactly it", async () => {
    await page.goto(`${base()}/instances/${a.id}/history?op=create`);
    await page.getByText('1 record match').waitFor();
    const previewed = page.waitForResponse(
      (r) =>
        r.request().method() === 'GET' &&
        new RegExp(`/api/instances/${a.id}/restore/\\d+$`).test(new URL(r.url()).pathname),
    );
    await page.getByRole('button', { name: 'Restore v1…' }).click();
    const response = await previewed;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { current_version: number; differences: unknown[] };
    expect(body.current_version).toBe(REPLICA_CHANGES + 2);

    const dialog = page.getByRole('dialog', { name: 'Restore version 1?' });
    const table = dialog.getByRole('table', { name: 'What the restore changes' });
    await table.waitFor();
    expect(await texts(table.getByRole('rowheader'))).toEqual([
      'image_tag modified',
      'replicas modified',
    ]);
    expect(
      await texts(table.getByRole('row').filter({ hasText: 'replicas' }).getByRole('cell')),
    ).toEqual([String(REPLICA_CHANGES + 1), '1']);
    await dialog
      .getByText(`from the current version ${REPLICA_CHANGES + 2} to version 1`)
      .waitFor();
    expect(search().get('restore')).toMatch(/^\d+$/);
    await expectAccessible('restore preview');

    await dialog.getByRole('textbox', { name: 'Change reason (optional)' }).fill('back to v1');
    await dialog.getByRole('button', { name: 'Restore version 1' }).click();
    await dialog.waitFor({ state: 'detached' });
    const restored = await api.getInstance(a.id);
    expect([restored.version, restored.replicas, restored.image_tag]).toEqual([
      REPLICA_CHANGES + 3,
      1,
      'vllm:1',
    ]);
  });
});

describe('audit log: history search across instances', () => {
  const results = () => page.getByRole('table', { name: 'History records' });
  const rows = () =>
    results()
      .getByRole('row')
      .filter({ has: page.getByRole('cell') });

  it('searches by text, instance ids and operation; results link to the instance history', async () => {
    await page.goto(`${base()}/operations`);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await results().waitFor();

    const filters = page.getByRole('search', { name: 'Search history' });
    await filters.getByRole('textbox', { name: 'Instance ids' }).fill(`${b.id}`);
    await expect.poll(() => search().get('ids')).toBe(String(b.id));
    await expect.poll(() => rows().count()).toBe(2);
    // Newest first: the delete, then the create.
    expect((await texts(rows())).map((t) => /v\d+(create|delete)/.exec(t)?.[1])).toEqual([
      'delete',
      'create',
    ]);

    // Operation filter through the multi-select, as a user picks it.
    await filters.getByRole('combobox', { name: 'Operations' }).click();
    await page.getByRole('option', { name: 'create' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(() => search().get('op')).toBe('create');
    await expect.poll(() => rows().count()).toBe(1);
    await expectAccessible('audit log, filtered');

    // The view is in the URL: a reload shows the same.
    await page.reload();
    await expect.poll(() => rows().count()).toBe(1);
    await rows().getByRole('link', { name: b.name }).click();
    await page.getByRole('heading', { name: `History of ${b.name}`, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/instances/${b.id}/history`);
  });

  it('pages through the results over the cursor; the page is in the URL', async () => {
    await page.goto(`${base()}/history?q=${prefix}-a&ids=${a.id}`);
    await expect.poll(() => rows().count()).toBe(25);
    const versions = async () => (await texts(rows())).map((t) => /#\d+ v\d+/.exec(t)?.[0]);
    const first = await versions();
    await page.getByRole('button', { name: 'Older records' }).click();
    await expect.poll(() => search().get('cursor')).toBeTruthy();
    // Create, 28 replicas changes, the image change and the restore: 31, so 6 on page 2.
    await expect.poll(() => rows().count()).toBe(REPLICA_CHANGES + 3 - 25);
    await rows().getByText('create', { exact: true }).waitFor();
    await expect
      .poll(() => page.getByRole('button', { name: 'Older records' }).isDisabled())
      .toBe(true);
    await page.goBack();
    await expect.poll(() => rows().count()).toBe(25);
    expect(await versions()).toEqual(first);
    expect(first[0]).toBe(`#${a.id} v${REPLICA_CHANGES + 3}`);

    await page.setViewportSize({ width: 375, height: 812 });
    await expectAccessible('audit log at 375 px');
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
