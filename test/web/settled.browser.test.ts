/**
 * `settled()` (test/web/support/browser.ts), which every axe check of the console waits on, in
 * Chromium: it waits for a dialog's transition, and not for motion that never pauses while the
 * whole suite writes (row highlights back to back, a spinner). ci70 had the help dialog's axe
 * check wait 15 s on the instances page, its rows flashing with other test files' changes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, settled } from './support/browser.ts';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
  page.setDefaultTimeout(5_000);
}, 60_000);

afterAll(() => browser?.close());

it('waits for a transition to end, not for back-to-back row highlights or a spinner', async () => {
  await page.setContent(`
    <style>
      @keyframes flash-row { from { background: yellow } to { background: transparent } }
      @keyframes spin { to { transform: rotate(360deg) } }
      .flash-row { animation: flash-row 2.5s ease-out }
      .spinner { animation: spin 1s linear infinite }
      #dialog { opacity: 0; transition: opacity 600ms }
      #dialog.open { opacity: 1 }
    </style>
    <div class="spinner">·</div>
    <div id="row">a row other writers keep changing</div>
    <div id="dialog">a dialog</div>
    <script>
      // A change every 300 ms, each highlighted for 2.5 s: one always runs.
      setInterval(() => {
        row.classList.remove('flash-row');
        void row.offsetWidth;
        row.classList.add('flash-row');
      }, 300);
    </script>`);
  await page.waitForFunction(() => document.getAnimations().length >= 2);
  await page.evaluate(() =>
    requestAnimationFrame(() => document.getElementById('dialog')!.classList.add('open')),
  );
  await page.waitForFunction(() =>
    document.getAnimations().some((a) => a instanceof CSSTransition),
  );

  await settled(page);

  expect(
    await page.evaluate(() => getComputedStyle(document.getElementById('dialog')!).opacity),
  ).toBe('1');
  // The highlights were still running: settled() did not wait for a pause in them.
  expect(
    await page.evaluate(() =>
      document
        .getAnimations()
        .some((a) => a instanceof CSSAnimation && a.animationName === 'flash-row'),
    ),
  ).toBe(true);
});
