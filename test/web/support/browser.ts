/**
 * Chromium from `@sparticuz/chromium` (an npm package: no browser download) driven by
 * playwright-core, as docs/NOTES describe; axe-core injected into the page for accessibility.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser, type Page } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await sparticuz.executablePath(),
    args: sparticuz.args,
    headless: true,
  });
}

interface AnimatedDocument {
  getAnimations(): {
    playState: string;
    animationName?: string;
    effect: { getTiming(): { iterations: number } } | null;
  }[];
}

/**
 * Waits until the page's own motion has ended (a dialog fading in, a menu opening): colours and
 * positions are final. Not waited for: endless animations (a spinner), which never end, and the
 * highlights of rows other writers change (`flash-row`, `leaving-row` in web/src/app/app.css),
 * which follow one another without a pause while the whole suite writes. A function, not a
 * string: the console's CSP forbids eval.
 */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    (globalThis as unknown as { document: AnimatedDocument }).document
      .getAnimations()
      .every(
        (a) =>
          a.playState !== 'running' ||
          a.effect?.getTiming().iterations === Infinity ||
          a.animationName === 'flash-row' ||
          a.animationName === 'leaving-row',
      ),
  );
}

let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Serious and critical axe-core violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await settled(page);
  // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') allows.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axeSource);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: AxeViolation[];
  };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export const describeViolations = (vs: AxeViolation[]) =>
  vs
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help}\n${v.nodes
          .slice(0, 3)
          .map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`)
          .join('\n')}`,
    )
    .join('\n');
