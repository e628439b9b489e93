/**
 * What the benchmark runs inside the console's page. Installed with `addInitScript` before the
 * app's own scripts, so the first-load watcher sees the document from its first node. Every
 * time is the page's `performance.now()` (ms since navigation start) at the animation frame
 * after the DOM change: the rows are committed and that frame paints them.
 *
 * Functions, not strings: the console's CSP forbids eval. The project compiles without the DOM
 * library, so the few DOM members used are typed here.
 */

interface El {
  textContent: string | null;
  children: ArrayLike<El>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  closest(selector: string): El | null;
  click(): void;
}

interface PageGlobals {
  document: El & { documentElement: { scrollHeight: number } };
  innerHeight: number;
  scrollY: number;
  scrollTo(x: number, y: number): void;
  scrollBy(x: number, y: number): void;
  requestAnimationFrame(cb: (t: number) => void): number;
  MutationObserver: new (cb: () => void) => {
    observe(target: unknown, opts: Record<string, boolean>): void;
    disconnect(): void;
  };
  PerformanceObserver: new (cb: (list: { getEntries(): { duration: number }[] }) => void) => {
    observe(opts: { type: string; buffered?: boolean }): void;
    disconnect(): void;
  };
  performance: {
    now(): number;
    timeOrigin: number;
    getEntriesByType(type: string): {
      name: string;
      startTime: number;
      responseStart: number;
      responseEnd: number;
      transferSize?: number;
      encodedBodySize?: number;
      initiatorType?: string;
    }[];
  };
  __bench: Bench;
}

export interface Timed {
  /** When the condition first held (DOM committed). */
  dom: number;
  /** The next animation frame: when that DOM is painted. */
  frame: number;
}

export interface ScrollResult {
  frames: number[];
  longTasks: number[];
  distance: number;
}

export interface Settled {
  /** ms since navigation start when the page counted as settled. */
  at: number;
  /** Main-thread stalls (frame gaps over 50 ms) seen while waiting: [start, ms]. */
  stalls: [number, number][];
  /** False when it gave up waiting (the page never went quiet): the run goes on regardless. */
  quiet: boolean;
}

export interface Resource {
  path: string;
  start: number;
  end: number;
  kb: number;
  type: string;
}

export interface Bench {
  /** Set at document start: resolves when the instances table first shows data rows. */
  firstUsable: Promise<Timed>;
  rowCount(): number;
  firstRowHref(): string | null;
  /** Clicks a link of the main navigation; resolves when `ready` holds. */
  clickNav(href: string, ready: 'instances' | 'operations'): Promise<number>;
  /**
   * Clicks the pager's Next; ms until the new page's rows are painted, and how much of it was
   * the list request (click → its response's last byte): the rest is the browser's.
   */
  next(): Promise<{ ms: number; request: number }>;
  /**
   * Resolves once an interaction on this page can be timed as the console's own: `QUIET_MS` of
   * animation frames with no gap over 50 ms, counted from `TEARDOWN_MS` after this document
   * replaced the previous one at the earliest.
   *
   * Why: about 1 s after a navigation Chromium shuts the previous document's widget down
   * (WidgetBase::Shutdown, a task posted with a 1 s delay). Its compositor waits for the GPU
   * command buffer to drain (ProxyMain::Stop → ProxyImpl::FinishGLOnImplThread), and this
   * browser's GPU is SwiftShader on one in-process thread, busy with raster work: the page's
   * main thread stalls for 0.4–1.5 s (seen in Chromium traces on 2 cores). No script runs, so
   * it is no long task and nothing in the page reports it. A click in that window waits for
   * it: a cost of the harness's navigation, not of the console.
   */
  settled(): Promise<Settled>;
  scroll(pxPerFrame: number): Promise<ScrollResult>;
  /** Starts watching the cell `column` of instance `id` for `text`; `live` resolves with epoch ms. */
  watchCell(id: number, column: string, text: string): void;
  live: Promise<number> | undefined;
  resources(): Resource[];
}

/** Runs in the page (serialised by playwright): must not reference anything outside itself. */
export function installBench(): void {
  const g = globalThis as unknown as PageGlobals;
  const ROW_LINK =
    'table[aria-label="Instances"] tbody tr:not([aria-hidden="true"]) th a[href^="/instances/"]';
  const firstRowHref = () => g.document.querySelector(ROW_LINK)?.getAttribute('href') ?? null;
  const frame = () => new Promise<number>((r) => g.requestAnimationFrame(r));
  const when = (cond: () => boolean) =>
    new Promise<Timed>((resolve) => {
      const done = () => {
        const dom = g.performance.now();
        g.requestAnimationFrame(() => resolve({ dom, frame: g.performance.now() }));
      };
      if (cond()) return done();
      const mo = new g.MutationObserver(() => {
        if (!cond()) return;
        mo.disconnect();
        done();
      });
      mo.observe(g.document, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });
  /** See `Bench.settled`. Constants live here: this function is serialised into the page. */
  const TEARDOWN_MS = 1_000;
  const QUIET_MS = 500;
  const MAX_FRAME_GAP_MS = 50;
  const GIVE_UP_MS = 10_000;
  const settled = async (): Promise<Settled> => {
    const nav = g.performance.getEntriesByType('navigation')[0];
    // The previous document is replaced once the response arrives (the commit): its teardown
    // is due `TEARDOWN_MS` after that, not after navigation start.
    const due = (nav?.responseStart ?? 0) + TEARDOWN_MS;
    const stalls: [number, number][] = [];
    const start = g.performance.now();
    let last = await frame();
    let quietSince = last;
    for (;;) {
      const now = await frame();
      if (now - last > MAX_FRAME_GAP_MS) {
        stalls.push([last, now - last]);
        quietSince = now;
      }
      last = now;
      // Quiet for a while after the teardown was due: it runs no sooner, but may run later.
      if (now - Math.max(due, quietSince) >= QUIET_MS) return { at: now, stalls, quiet: true };
      if (now - start > GIVE_UP_MS) return { at: now, stalls, quiet: false };
    }
  };
  const heading = () => g.document.querySelector('main h1')?.textContent?.trim() ?? '';
  const cellText = (id: number, column: string) => {
    const table = g.document.querySelector('table[aria-label="Instances"]');
    if (!table) return undefined;
    const headers = Array.from(table.querySelectorAll('thead th'));
    const index = headers.findIndex((h) => h.textContent?.replace(/[▲▼↕]/g, '').trim() === column);
    const row = table.querySelector(`tbody a[href="/instances/${id}"]`)?.closest('tr');
    return row?.children[index]?.textContent?.trim();
  };

  const bench: Bench = {
    firstUsable: when(() => firstRowHref() !== null),
    rowCount: () => g.document.querySelectorAll(ROW_LINK).length,
    firstRowHref,
    async clickNav(href, ready) {
      const link = g.document.querySelector(`nav[aria-label="Main"] a[href="${href}"]`);
      if (!link) throw new Error(`no navigation link to ${href}`);
      const t0 = g.performance.now();
      link.click();
      const t = await when(() =>
        ready === 'instances'
          ? firstRowHref() !== null
          : heading() === 'Operations' && !g.document.querySelector(ROW_LINK),
      );
      return t.frame - t0;
    },
    async next() {
      const before = firstRowHref();
      const button = Array.from(g.document.querySelectorAll('button')).find(
        (b) => b.textContent?.trim() === 'Next',
      );
      if (!button) throw new Error('no Next button');
      const t0 = g.performance.now();
      button.click();
      const t = await when(() => {
        const now = firstRowHref();
        return now !== null && now !== before;
      });
      const list = g.performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/instances?') && e.startTime >= t0)
        .pop();
      return { ms: t.frame - t0, request: list ? list.responseEnd - t0 : Number.NaN };
    },
    settled,
    async scroll(px) {
      g.scrollTo(0, 0);
      await frame();
      await frame();
      const longTasks: number[] = [];
      const po = new g.PerformanceObserver((list) =>
        longTasks.push(...list.getEntries().map((e) => e.duration)),
      );
      po.observe({ type: 'longtask' });
      const max = g.document.documentElement.scrollHeight - g.innerHeight;
      const frames: number[] = [];
      let last = await frame();
      while (g.scrollY < max - 1) {
        g.scrollBy(0, px);
        const now = await frame();
        frames.push(now - last);
        last = now;
      }
      // Long tasks are reported asynchronously: one more frame lets the last ones arrive.
      await frame();
      po.disconnect();
      return { frames, longTasks, distance: max };
    },
    watchCell(id, column, text) {
      bench.live = when(() => cellText(id, column) === text).then(
        (t) => g.performance.timeOrigin + t.frame,
      );
    },
    live: undefined,
    resources() {
      const entries = [
        ...g.performance.getEntriesByType('navigation'),
        ...g.performance.getEntriesByType('resource'),
      ];
      return entries.map((e) => ({
        path: e.name.replace(/^[a-z]+:\/\/[^/]+/, ''),
        start: e.startTime,
        end: e.responseEnd,
        kb: (e.transferSize || e.encodedBodySize || 0) / 1024,
        type: e.initiatorType ?? 'navigation',
      }));
    },
  };
  g.__bench = bench;
}

/**
 * tsx compiles with esbuild's `keepNames`, which wraps named functions in `__name(fn, "…")`;
 * in the page that helper does not exist, so this init script (a string, run through the
 * DevTools protocol like playwright's own) defines it first.
 */
export const NAME_SHIM = 'globalThis.__name = globalThis.__name || ((f) => f);';
