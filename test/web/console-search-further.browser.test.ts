/**
 * "Search further" in a real Chromium against a stack of this file's own: a text search over
 * more instances than one list request examines (5,000 keys, shared/repo/listing.ts) answers
 * an empty page with a cursor, the console says "none so far" (not "none") and offers to search
 * further, and pressing that (mouse or keyboard) finds the match beyond. The page is honest
 * while it searches: the requests are held at the network (playwright routes) until the test
 * has seen the loading state, so no timing decides what is checked. Waits on conditions only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import { InstancesClient, type Instance } from '../../client/index.ts';
import { uniqueName } from '../support/api.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import type { StreamHandler } from '../../infra/local/stream-poller.ts';
import { seedInstances, waitForTotal } from '../../bench/console/seed.ts';
import { consoleFor, type ConsoleServer } from './support/console-server.ts';
import { describeViolations, launchBrowser, seriousViolations } from './support/browser.ts';

/** More than one request examines: the first page of the search comes back empty. */
const HAYSTACK = 5_200;

let local: LocalStack;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
let needle: Instance;
/** A word only the needle's name contains. */
const word = uniqueName('needle').split('-').pop()!;

async function expectAccessible(what: string) {
  const violations = await seriousViolations(page);
  expect(violations, `${what}:\n${describeViolations(violations)}`).toEqual([]);
}

/**
 * Holds the next list request with a text search at the network until `release()`: the test
 * looks at the page while the search is in flight, however fast the stack answers.
 */
function holdNextSearch() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let seen!: (url: URL) => void;
  const requested = new Promise<URL>((r) => (seen = r));
  const matches = (url: URL) => url.pathname === '/api/instances' && url.searchParams.has('search');
  const handler = async (route: Route) => {
    seen(new URL(route.request().url()));
    await released;
    await route.continue().catch(() => undefined); // aborted by the page meanwhile: fine
  };
  const ready = page.route(matches, handler, { times: 1 });
  return {
    requested,
    release: async () => {
      release();
      await ready;
    },
  };
}

const searchParam = (name: string) => new URL(page.url()).searchParams.get(name);
const noMatchYet = () => page.getByText('No match among the instances searched so far.');
const searchFurther = () => page.getByRole('button', { name: /^Search further/ });
const needleLink = () => page.getByRole('link', { name: needle.name, exact: true });
const rangeLabel = () => page.getByText(/^(No results|\d[\d,]*–[\d,]+ of .+)$/);

/**
 * The history writer of this stack passes over the seeded haystack (a bulk load, not changes
 * under test: 5,200 history records and counter updates would keep a loaded 2-core machine busy
 * for minutes) and handles everything else as usual.
 */
const historyWriterSkippingSeed: StreamHandler = async (event, context) => {
  const { handler } = await import('../../functions/stream/history-writer.ts');
  const Records = event.Records.filter(
    (r) => !(r.dynamodb?.NewImage?.name?.S ?? '').startsWith('seed-'),
  );
  return Records.length ? handler({ Records }, context) : { batchItemFailures: [] };
};

beforeAll(async () => {
  local = await startLocalStack({
    port: 0,
    streamHandlers: { HistoryWriter: historyWriterSkippingSeed },
  });
  server = await consoleFor(local.url);
  // The haystack straight into DynamoDB (ids 1…5,200, created 2025-01-01 on, a minute apart):
  // none of them mentions `word`. The needle through the API, created now: the newest, so
  // oldest-first it comes after all 5,200.
  await seedInstances(local.dynamodbEndpoint, local.tableNames, 0, HAYSTACK);
  needle = await new InstancesClient({ baseUrl: local.url }).createInstance({
    name: `found-${word}`,
    model_name: 'm',
    cluster_name: 'c',
    image_tag: 't',
  });
  // The needle counted by the history writer: the stream is quiet before the page opens, so
  // no live event refetches a list while the test watches it.
  await waitForTotal(local.url, 1, 60_000);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
}, 180_000);

const t0 = Date.now();
afterAll(async () => {
  console.log(`[console-search-further browser test] ${Date.now() - t0} ms`);
  await browser?.close();
  await server?.close();
  await local?.stop();
});

describe('instances: a text search over more instances than one request examines', () => {
  it('says "none so far", is busy while it searches, and "Search further" finds the match', async () => {
    await page.goto(`${server.url}/?sort=created_at&order=asc`);
    const table = page.getByRole('table', { name: 'Instances' });
    await table
      .getByRole('link', { name: /^seed-/ })
      .first()
      .waitFor();

    // Typed into the search box: while the server walks 5,000 keys, the old rows must not pass
    // for results — the table is busy, a status says it searches, the rows are marked stale.
    const first = holdNextSearch();
    await page.keyboard.press('/');
    // One input event: a slow machine typing key by key could let the debounce send a prefix.
    await page.keyboard.insertText(word);
    const sent = await first.requested;
    expect(sent.searchParams.get('search')).toBe(word);
    expect(sent.searchParams.has('cursor')).toBe(false);
    await expect.poll(() => table.getAttribute('aria-busy')).toBe('true');
    await page.getByRole('status').filter({ hasText: 'Searching…' }).waitFor();
    const opacity = `getComputedStyle(document.querySelector('table[aria-label="Instances"] tbody')).opacity`;
    await expect
      .poll(() => page.evaluate(opacity).then(Number), { message: 'old rows dimmed' })
      .toBeLessThan(1);
    await first.release();

    // An empty page with a cursor: not "no instance matches".
    await noMatchYet().waitFor();
    expect(await page.getByText('No instance matches these filters.').count()).toBe(0);
    await expect.poll(() => rangeLabel().textContent()).toBe('No results');
    await expectAccessible('no match so far');

    // Search further (mouse): busy while the next request runs; a second press meanwhile does
    // not skip a page (it would send the same cursor again as "page 3").
    const second = holdNextSearch();
    await searchFurther().click();
    const further = await second.requested;
    expect(further.searchParams.get('cursor'), 'continues where the first stopped').toBeTruthy();
    await expect.poll(() => searchParam('page')).toBe('2');
    await expect.poll(() => searchFurther().getAttribute('aria-busy')).toBe('true');
    await page.getByRole('status').filter({ hasText: 'Searching…' }).waitFor();
    await searchFurther().click({ force: true });
    expect(searchParam('page')).toBe('2');
    await second.release();

    await needleLink().waitFor();
    expect(await noMatchYet().count()).toBe(0);
    expect(await table.getByRole('row').count(), 'header + the one match').toBe(2);
    // The match is the first one found: 1–1, not "51–51" as if page 1 had been full.
    await expect.poll(() => rangeLabel().textContent()).toBe('1–1 of 1');
    expect(searchParam('page')).toBe('2');
    await expect.poll(() => table.getAttribute('aria-busy')).toBe('false');
    expect(await page.evaluate(opacity), 'the answer is not dimmed').toBe('1');
    await expectAccessible('the match found further on');

    // The URL is the view: reloaded (or shared), page 2 still numbers its rows from where page
    // 1 stopped, though nothing of the paging that led here is left in memory.
    expect(searchParam('start'), 'page 1 showed no match').toBe('0');
    await page.reload();
    await needleLink().waitFor();
    await expect.poll(() => rangeLabel().textContent()).toBe('1–1 of 1');

    // Back to the first page (from the cache), then the same by keyboard only.
    await page.getByRole('button', { name: 'Previous' }).click();
    await noMatchYet().waitFor();
    await expect.poll(() => searchParam('page')).toBe(null);
    await searchFurther().focus();
    await page.keyboard.press('Enter');
    await needleLink().waitFor();
    await expect.poll(() => rangeLabel().textContent()).toBe('1–1 of 1');
    // The button that had focus is gone: focus moves to the results, not to the document.
    await expect
      .poll(() => page.evaluate('document.activeElement?.getAttribute("aria-label")'))
      .toBe('Instances');
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate('document.activeElement?.closest("table")?.getAttribute("aria-label")'),
      'Tab continues into the results',
    ).toBe('Instances');

    // Space works too, from a fresh load of the first page (the URL is the view).
    await page.goto(`${server.url}/?q=${word}&sort=created_at&order=asc`);
    await noMatchYet().waitFor();
    await searchFurther().focus();
    await page.keyboard.press('Space');
    await needleLink().waitFor();
    await expect.poll(() => rangeLabel().textContent()).toBe('1–1 of 1');
  }, 120_000);
});
