/**
 * The instances page in a real Chromium against the local stack: the created-date range in the
 * URL, the column chooser remembered by the browser, a live removal that is seen before it
 * goes (and respects reduced motion), and the 375 px layout (cards, no horizontal scrolling,
 * every action reachable). Elements by role and accessible name; waits on conditions only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { InstancesClient, type Instance } from '../../client/index.ts';
import { uniqueName } from '../support/api.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { consoleFor, type ConsoleServer } from './support/console-server.ts';
import { describeViolations, launchBrowser, seriousViolations } from './support/browser.ts';

/**
 * A stack of its own: these checks look for "no match" pages, and on the shared stack, which
 * other files fill with thousands of instances meanwhile, a text search examines 5,000 of them
 * per page and may answer an empty page with a cursor instead.
 */
let local: LocalStack;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
let api: InstancesClient;
const prefix = uniqueName('cols');
const made: Instance[] = [];

async function expectAccessible(what: string) {
  const violations = await seriousViolations(page);
  expect(violations, `${what}:\n${describeViolations(violations)}`).toEqual([]);
}

/** A day as `<input type="date">` takes it, in the page's time zone (UTC, set below). */
const utcDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

const table = () => page.getByRole('table', { name: 'Instances' });
const nameLink = (name: string) => page.getByRole('link', { name, exact: true });

beforeAll(async () => {
  local = await startLocalStack({ port: 0 });
  server = await consoleFor(local.url);
  api = new InstancesClient({ baseUrl: local.url });
  browser = await launchBrowser();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  for (const n of ['a', 'b', 'c']) {
    made.push(
      await api.createInstance({
        name: `${prefix}-${n}`,
        model_name: 'm',
        cluster_name: 'c',
        image_tag: 't',
        replicas: 3,
      }),
    );
  }
}, 120_000);

const t0 = Date.now();
afterAll(async () => {
  console.log(`[console-instances browser test] ${Date.now() - t0} ms`);
  await browser?.close();
  await server?.close();
  await local?.stop();
});

describe('instances page', () => {
  it('created-date range: kept in the URL, sent to the server, cleared with the other filters', async () => {
    // A link with a range reproduces the view, inputs included. Everything here was created
    // today: a range starting tomorrow matches nothing.
    await page.goto(`${server.url}/?q=${prefix}&sort=name&order=asc&created_from=${utcDay(1)}`);
    await page.getByText('No instance matches these filters.').waitFor();
    const from = page.getByRole('textbox', { name: 'Created from' });
    expect(await from.inputValue()).toBe(utcDay(1));

    // Typed in the fields: into the URL (no reload) and to the server.
    await from.fill(utcDay(-1));
    await nameLink(`${prefix}-c`).waitFor();
    await page.getByRole('textbox', { name: 'Created to' }).fill(utcDay(0));
    await expect.poll(() => new URL(page.url()).searchParams.get('created_to')).toBe(utcDay(0));
    expect(new URL(page.url()).searchParams.get('created_from')).toBe(utcDay(-1));
    await expect.poll(() => table().getByRole('row').count()).toBe(4);
    await expectAccessible('instances with a created range');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect
      .poll(() => [...new URL(page.url()).searchParams.keys()].sort().join(','))
      .toBe('order,sort');
    expect(await from.inputValue()).toBe('');
    // The first page load and an axe run: generous under a loaded machine.
  }, 60_000);

  it('column chooser: keyboard operable, remembered by the browser across reloads', async () => {
    await page.goto(`${server.url}/?q=${prefix}&sort=name&order=asc`);
    await nameLink(`${prefix}-a`).waitFor();
    const headers = () => table().getByRole('columnheader').allTextContents();
    expect((await headers()).join('|')).toContain('Replicas');
    await page.getByRole('button', { name: 'Columns', exact: true }).click();
    const group = page.getByRole('group', { name: 'Show columns' });
    const replicas = group.getByRole('checkbox', { name: 'Replicas' });
    await replicas.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => replicas.isChecked()).toBe(false);
    await page.keyboard.press('Escape');
    await group.waitFor({ state: 'detached' });
    expect(
      await page.evaluate('document.activeElement?.textContent'),
      'focus back on the button',
    ).toBe('Columns (1 hidden)');
    await expect.poll(async () => (await headers()).join('|')).not.toContain('Replicas');

    // A new page load in this browser.
    await page.goto(`${server.url}/?q=${prefix}&sort=name&order=asc`);
    await nameLink(`${prefix}-a`).waitFor();
    expect((await headers()).join('|')).not.toContain('Replicas');
    expect((await headers()).join('|')).toContain('Cluster');
    await page.getByRole('button', { name: 'Columns (1 hidden)' }).waitFor();
  }, 60_000);

  it('a row deleted by someone else is marked and fades before it leaves; reduced motion: no animation', async () => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.getByRole('status', { name: 'Live updates: live' }).waitFor();
    const doomed = made[1]!;
    await api.deleteInstance(doomed.id);
    const leaving = table().getByRole('row', { name: new RegExp(`${doomed.name} deleted`) });
    await leaving.waitFor();
    expect(await leaving.getAttribute('aria-disabled')).toBe('true');
    expect(await leaving.getByRole('checkbox').isDisabled()).toBe(true);
    // Still in its place between its neighbours, and not animated under reduced motion.
    expect(
      (await table().getByRole('rowheader').allTextContents()).map((t) => t.split(/\s/)[0]),
    ).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`].map((n) => expect.stringContaining(n)));
    expect(
      await page.evaluate(
        // Keyframe animations only: the checkbox's colour transition is not motion.
        'document.getAnimations().filter((a) => a instanceof CSSAnimation && a.effect?.target?.closest?.("tr[aria-disabled]")).length',
      ),
      'animations on the leaving row',
    ).toBe(0);
    await leaving.waitFor({ state: 'detached' });
    expect(await table().getByRole('row').count()).toBe(3);
    await page.emulateMedia({ reducedMotion: 'no-preference' });
  });

  it('375 px wide: cards, no horizontal scrolling, every action reachable', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    const cards = page.getByRole('list', { name: 'Instances' });
    await cards.getByRole('listitem', { name: `${prefix}-c` }).waitFor();
    expect(await page.getByRole('table', { name: 'Instances' }).count()).toBe(0);
    expect(
      await page.evaluate(
        'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
      ),
    ).toBe(true);
    // Columns still chosen (Replicas hidden) on the cards.
    const card = cards.getByRole('listitem', { name: `${prefix}-a` });
    await card.getByText('Cluster').waitFor();
    expect(await card.getByText('Replicas').count()).toBe(0);

    // Sort without headers, filters behind a button, selection and bulk actions, preview.
    await page.getByRole('combobox', { name: 'Sort by' }).click();
    await page.getByRole('option', { name: 'Name' }).click();
    await page.getByRole('combobox', { name: 'Order' }).click();
    await page.getByRole('option', { name: 'Descending' }).click();
    await expect
      .poll(async () =>
        (await cards.getByRole('listitem').all()).length
          ? await cards.getByRole('listitem').first().getAttribute('aria-label')
          : null,
      )
      .toBe(`${prefix}-c`);
    await page.getByRole('button', { name: /^Filters/ }).click();
    await page.getByRole('textbox', { name: 'Created from' }).waitFor();
    await card.getByRole('checkbox', { name: `Select ${prefix}-a` }).check();
    const bulk = page.getByRole('region', { name: 'Bulk actions' });
    await bulk.getByText('1 selected').waitFor();
    await bulk.getByRole('button', { name: 'Delete…' }).waitFor();
    await card.getByRole('button', { name: `Preview ${prefix}-a` }).click();
    const drawer = page.getByRole('dialog', { name: `${prefix}-a` });
    await drawer.getByRole('link', { name: 'Open / edit' }).waitFor();
    expect(
      await page.evaluate(
        'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
      ),
    ).toBe(true);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await expectAccessible('instances at 375 px');
    await page.getByRole('button', { name: 'Columns (1 hidden)' }).click();
    await page.getByRole('button', { name: 'Show all' }).click();
    await card.getByText('Replicas').waitFor();
  });
});
