/**
 * Chromium from `@sparticuz/chromium` (an npm package: no browser download) driven by
 * playwright-core, launched as the browser tests do (test/web/support/browser.ts) with one
 * difference: without `--single-process`. In one process, leaving a page that holds the
 * console's WebSocket now and then hangs the whole browser (seen here on every few cold loads),
 * and a desktop browser, which these figures stand for, renders in its own process anyway.
 */
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await sparticuz.executablePath(),
    args: sparticuz.args.filter((a) => a !== '--single-process'),
    headless: true,
  });
}
