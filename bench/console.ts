/**
 * `npm run bench:console`: the operator console's quality bars (issue #13) measured in a real
 * browser against the local stack, as a benchmark (figures, not a pass/fail test):
 *
 * - initial JavaScript of the instances page, gzipped (as test/web/bundle-size.test.ts counts it);
 * - instances page usable (the table shows data rows, painted) after a cold navigation (cache
 *   browser context: empty cache, first load) and a warm one  (client-side navigation back from
 *   Operations), with 1,000 and with 10,000 instances;
 * - paging with 10,000 instances: click on Next → the next page's rows painted (50 and 200 rows);
 * - scrolling a rendered page: requestAnimationFrame deltas and long tasks (> 50 ms);
 * - live latency: PATCH over the API → the row's cell shows the new value in the open console.
 *
 * Starts its own local stack (in memory), seeds straight into DynamoDB Local (the history
 * writer counts the instances from the stream; the run waits for the counters), drives the
 * Chromium of @sparticuz/chromium with playwright-core, prints a Markdown table and writes it
 * into docs/console/README.md between the console-bench markers.
 *
 *   npm run bench:console               full run (~3–4 minutes on 2 cores)
 *   npm run bench:console -- --quick    small sizes and few runs; leaves the docs alone
 *
 * Needs the built console (`npx vite build web`, which `npm ci` runs).
 */
import { cpus, loadavg } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import * as prettier from 'prettier';
import type { Browser } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../infra/local/stack.ts';
import { launchBrowser } from './console/browser.ts';
import { installBench, NAME_SHIM, type Bench, type Resource } from './console/page.ts';
import { seedInstances, waitForTotal } from './console/seed.ts';
import { median, percentile, round, sleep } from './stats.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'web', 'dist');
const DOC = join(ROOT, 'docs', 'console', 'README.md');
const BEGIN = '<!-- console-bench:begin -->';
const END = '<!-- console-bench:end -->';
const VIEWPORT = { width: 1280, height: 900 };

interface Config {
  mode: 'full' | 'quick';
  sizes: [number, number];
  coldRuns: number;
  warmRuns: number;
  nextClicks: { limit: number; clicks: number }[];
  liveChanges: number;
}

const CONFIGS: Record<Config['mode'], Config> = {
  full: {
    mode: 'full',
    sizes: [1_000, 10_000],
    coldRuns: 9,
    warmRuns: 9,
    nextClicks: [
      { limit: 50, clicks: 12 },
      { limit: 200, clicks: 8 },
    ],
    liveChanges: 30,
  },
  quick: {
    mode: 'quick',
    sizes: [100, 500],
    coldRuns: 3,
    warmRuns: 3,
    nextClicks: [
      { limit: 50, clicks: 3 },
      { limit: 200, clicks: 1 },
    ],
    liveChanges: 5,
  },
};

type G = { __bench: Bench };
const log = (msg: string) => process.stderr.write(`[bench:console] ${msg}\n`);
const now = () => performance.timeOrigin + performance.now();

interface Dist {
  p50: number;
  p95: number;
  max: number;
  n: number;
  all: number[];
}
const dist = (values: number[]): Dist => ({
  p50: round(median(values), 0),
  p95: round(percentile(values, 95), 0),
  max: round(Math.max(...values), 0),
  n: values.length,
  all: values.map((v) => round(v, 1)),
});

/** The JS the instances page needs before it renders: the entry and what index.html preloads. */
function initialAssets() {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const pick = (re: RegExp) =>
    [...html.matchAll(re)].map((m) => m.slice(1).find(Boolean)!).filter(Boolean);
  const js = pick(
    /<script[^>]+src="\/([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g,
  );
  const css = pick(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+\.css)"/g);
  const gz = (f: string) => gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length;
  const files = js.map((f) => ({ file: f, gzip: gz(f) }));
  return {
    js_files: files,
    js_gzip_kb: round(files.reduce((a, f) => a + f.gzip, 0) / 1024, 1),
    css_gzip_kb: round(css.reduce((a, f) => a + gz(f), 0) / 1024, 1),
  };
}

/**
 * The one page of the run. The Chromium of @sparticuz/chromium runs as a single process: closing
 * a page or a context ends the whole browser, so the run keeps one page and makes each first
 * load cold by leaving the console and clearing the browser's cache (HTTP cache, and with it
 * V8's code cache) through the DevTools protocol.
 */
async function openPage(browser: Browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  context.setDefaultTimeout(30_000);
  await context.addInitScript({ content: NAME_SHIM });
  await context.addInitScript(installBench);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  return { page, cdp };
}
type Tab = Awaited<ReturnType<typeof openPage>>;

/** Leaves the console (its WebSocket closes, nothing of it runs any more). */
async function leave(tab: Tab, base: string) {
  await tab.page.goto(`${base}/config.json`, { waitUntil: 'commit' });
}

/** One first load with an empty cache: ms from navigation start to the rows painted. */
async function coldLoad(tab: Tab, base: string, path = '/') {
  await leave(tab, base);
  await tab.cdp.send('Network.clearBrowserCache');
  await tab.page.goto(`${base}${path}`, { waitUntil: 'commit' });
  const t = await tab.page.evaluate(() => (globalThis as unknown as G).__bench.firstUsable);
  const rows = await tab.page.evaluate(() => (globalThis as unknown as G).__bench.rowCount());
  const resources = await tab.page.evaluate(() => (globalThis as unknown as G).__bench.resources());
  return { ms: t.frame, dom: t.dom, rows, resources };
}

async function navigation(tab: Tab, base: string, cfg: Config) {
  // One unrecorded load first: the browser's own first-load costs are not the console's.
  await coldLoad(tab, base);
  const cold: { ms: number; resources: Resource[] }[] = [];
  for (let i = 0; i < cfg.coldRuns; i++) {
    const run = await coldLoad(tab, base);
    if (run.rows === 0) throw new Error('no rows after the first load');
    cold.push({ ms: run.ms, resources: run.resources });
  }
  const { page } = tab;
  const warm: number[] = [];
  for (let i = 0; i < cfg.warmRuns; i++) {
    await page.evaluate(() =>
      (globalThis as unknown as G).__bench.clickNav('/operations', 'operations'),
    );
    await sleep(200);
    warm.push(
      await page.evaluate(() => (globalThis as unknown as G).__bench.clickNav('/', 'instances')),
    );
    await sleep(200);
  }
  await leave(tab, base);
  const sorted = [...cold].sort((a, b) => a.ms - b.ms);
  const medianRun = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { cold: dist(cold.map((c) => c.ms)), warm: dist(warm), waterfall: medianRun };
}

async function paging(tab: Tab, base: string, cfg: Config) {
  const { page } = tab;
  const out: { limit: number; next: Dist; request: Dist; browser: Dist; scroll: ScrollFigures }[] =
    [];
  for (const { limit, clicks } of cfg.nextClicks) {
    await page.goto(`${base}/?limit=${limit}`, { waitUntil: 'commit' });
    await page.evaluate(() => (globalThis as unknown as G).__bench.firstUsable);
    // Page turns on a page that has settled, as an operator's are: the console has started
    // (its subscription is live, and the refetch that going live asks for is under way), and
    // the browser has torn down the document the run navigated from, which otherwise stalls
    // the first click by up to 1.5 s (bench/console/page.ts, `settled`).
    await page.getByRole('status', { name: 'Live updates: live' }).waitFor();
    const settled = await page.evaluate(() => (globalThis as unknown as G).__bench.settled());
    log(
      `  limit ${limit}: settled at ${round(settled.at, 0)} ms` +
        (settled.stalls.length
          ? `, after main-thread stalls ${settled.stalls.map(([at, ms]) => `${round(ms, 0)} ms at ${round(at, 0)}`).join(', ')}`
          : '') +
        (settled.quiet ? '' : ' (never quiet: clicking anyway)'),
    );
    const next: number[] = [];
    const request: number[] = [];
    for (let i = 0; i < clicks; i++) {
      const t = await page.evaluate(() => (globalThis as unknown as G).__bench.next());
      next.push(t.ms);
      request.push(t.request);
      await sleep(150);
    }
    const rows = await page.evaluate(() => (globalThis as unknown as G).__bench.rowCount());
    if (rows !== limit) throw new Error(`page of ${limit} shows ${rows} rows`);
    await sleep(300);
    const scroll = await page.evaluate(() => (globalThis as unknown as G).__bench.scroll(40));
    await leave(tab, base);
    out.push({
      limit,
      next: dist(next),
      // Click → the list response's last byte, and response → rows painted (React, layout).
      request: dist(request),
      browser: dist(next.map((ms, k) => ms - request[k]!)),
      scroll: {
        px: round(scroll.distance, 0),
        frames: scroll.frames.length,
        frame_p50: round(median(scroll.frames), 1),
        frame_p95: round(percentile(scroll.frames, 95), 1),
        frame_max: round(Math.max(...scroll.frames), 1),
        frames_over_50: scroll.frames.filter((f) => f > 50).length,
        long_tasks: scroll.longTasks.length,
        long_task_max: round(Math.max(0, ...scroll.longTasks), 0),
      },
    });
  }
  return out;
}

interface ScrollFigures {
  px: number;
  frames: number;
  frame_p50: number;
  frame_p95: number;
  frame_max: number;
  frames_over_50: number;
  long_tasks: number;
  long_task_max: number;
}

async function liveLatency(tab: Tab, stack: LocalStack, cfg: Config) {
  const { page } = tab;
  await page.goto(`${stack.url}/`, { waitUntil: 'commit' });
  await page.evaluate(() => (globalThis as unknown as G).__bench.firstUsable);
  await page.getByRole('status', { name: 'Live updates: live' }).waitFor();
  const hrefs = await page.evaluate(() =>
    Array.from(
      (
        globalThis as unknown as {
          document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string }> };
        }
      ).document.querySelectorAll('table[aria-label="Instances"] tbody th a[href^="/instances/"]'),
    ).map((a) => a.getAttribute('href')),
  );
  const ids = hrefs.slice(0, 10).map((h) => Number(h.split('/').pop()));
  const shown: number[] = [];
  const patch: number[] = [];
  for (let k = 0; k < cfg.liveChanges; k++) {
    const id = ids[k % ids.length]!;
    const value = 3 + k; // seeded with 2; each change a value this row has not had
    await page.evaluate(
      ([id, value]) =>
        (globalThis as unknown as G).__bench.watchCell(id, 'Replicas', String(value)),
      [id, value] as const,
    );
    const t0 = now();
    const res = await fetch(`${stack.url}/api/instances/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replicas: value }),
    });
    patch.push(now() - t0);
    if (!res.ok) throw new Error(`PATCH ${id}: ${res.status} ${await res.text()}`);
    const at = await Promise.race([
      page.evaluate(() => (globalThis as unknown as G).__bench.live!),
      sleep(10_000).then(() => undefined),
    ]);
    if (at === undefined) throw new Error(`change ${k} (instance ${id}) not shown within 10 s`);
    shown.push(at - t0);
    await sleep(250);
  }
  await leave(tab, stack.url);
  return { shown: dist(shown), patch: dist(patch) };
}

const fmtMs = (d: Dist) => `${d.p50} / ${d.p95} ms`;
const yes = (ok: boolean) => (ok ? 'yes' : '**no**');

function markdown(r: Results): string {
  const [small, large] = r.sizes;
  const nav = (n: number) => r.navigation.find((x) => x.size === n)!;
  const s = nav(small);
  const l = nav(large);
  const rows: string[][] = [
    [
      'Initial JS of the instances page (gzipped)',
      `${r.assets.js_gzip_kb} KB in ${r.assets.js_files.length} files (+ ${r.assets.css_gzip_kb} KB CSS)`,
      '≤ 300 KB',
      yes(r.assets.js_gzip_kb <= 300),
    ],
    [
      `Usable, cold navigation, ${small.toLocaleString('en')} instances`,
      fmtMs(s.cold),
      '≤ 1.0 s',
      yes(s.cold.p50 <= 1000) + (s.cold.p95 > 1000 ? ' (p95 over)' : ''),
    ],
    [
      `Usable, warm navigation, ${small.toLocaleString('en')} instances`,
      fmtMs(s.warm),
      '≤ 1.0 s',
      yes(s.warm.p95 <= 1000),
    ],
    [
      `Usable, cold navigation, ${large.toLocaleString('en')} instances`,
      fmtMs(l.cold),
      '(≤ 1.0 s)',
      yes(l.cold.p50 <= 1000) + (l.cold.p95 > 1000 ? ' (p95 over)' : ''),
    ],
    [
      `Usable, warm navigation, ${large.toLocaleString('en')} instances`,
      fmtMs(l.warm),
      '(≤ 1.0 s)',
      yes(l.warm.p95 <= 1000),
    ],
    ...r.paging.map((p) => [
      `Next page → ${p.limit} new rows painted, ${large.toLocaleString('en')} instances`,
      `${fmtMs(p.next)} (${p.next.n} clicks; the request ${fmtMs(p.request)}, then the browser ${fmtMs(p.browser)})`,
      'smooth: p95 ≤ 1.0 s',
      yes(p.next.p95 <= 1000),
    ]),
    ...r.paging.map((p) => [
      `Scroll through a page of ${p.limit} rows (${p.scroll.px} px, 40 px a frame)`,
      `frames p50 ${p.scroll.frame_p50} / p95 ${p.scroll.frame_p95} / max ${p.scroll.frame_max} ms; ${p.scroll.long_tasks} long tasks (max ${p.scroll.long_task_max} ms)`,
      'smooth: no long task, p95 frame ≤ 33 ms',
      yes(p.scroll.long_tasks === 0 && p.scroll.frame_p95 <= 33.4),
    ]),
    [
      `Live: PATCH over the API → the row's cell changes (${r.live.shown.n} changes)`,
      `${fmtMs(r.live.shown)} (the PATCH itself ${fmtMs(r.live.patch)})`,
      'p50 ≤ 1 s',
      yes(r.live.shown.p50 <= 1000),
    ],
  ];
  const table = (head: string[], body: string[][]) =>
    [
      `| ${head.join(' | ')} |`,
      `| ${head.map(() => '---').join(' | ')} |`,
      ...body.map((b) => `| ${b.join(' | ')} |`),
    ].join('\n');
  const wf = s.waterfall.resources
    .filter((x) => !x.path.startsWith('data:'))
    .sort((a, b) => a.start - b.start)
    .map((x) => [
      `\`${x.path.length > 60 ? `${x.path.slice(0, 57)}…` : x.path}\``,
      String(round(x.start, 0)),
      String(round(x.end, 0)),
      String(round(x.end - x.start, 0)),
      String(round(x.kb, 1)),
    ]);
  const m = r.machine;
  return [
    `Generated by \`${r.command}\` (bench/console.ts) on ${r.date}; do not edit by hand. ` +
      `Machine: ${m.cpus} × ${m.cpu}, Node ${m.node}; load average (1/5/15 min) ${m.load_start.join(' / ')} at the start, ${m.load_end.join(' / ')} at the end — shared with other work, so absolute times are noisy. ` +
      `Headless Chromium ${r.browser} (@sparticuz/chromium, playwright-core), ${VIEWPORT.width}×${VIEWPORT.height}, against the in-memory local stack this run starts; instances seeded straight into DynamoDB Local and counted by the history writer from the stream. ` +
      `Times are p50 / p95 in ms. "Usable" = the Instances table shows data rows, at the animation frame that paints them: cold = from navigation start of a first load with the browser cache cleared (HTTP and code cache; ${r.runs.cold} runs after one unrecorded warm-up), warm = from the click on **Instances** in the header, coming back from Operations (${r.runs.warm} runs). ` +
      `"Next page" = from the click to the animation frame that paints the new rows, on a settled page: the live subscription open, and the browser done tearing down the document the run came from (about 1 s after a navigation it stalls the page's main thread for up to 1.5 s with this software-GPU Chromium; see \`settled\` in bench/console/page.ts).`,
    '',
    table(['Quality bar', 'Measured', 'Bar', 'Met'], rows),
    '',
    `Cold load with ${small.toLocaleString('en')} instances, the median run (${round(s.waterfall.ms, 0)} ms to usable): every request, ms from navigation start.`,
    '',
    table(['Request', 'Start', 'End', 'Took', 'KB'], wf),
  ].join('\n');
}

interface Results {
  command: string;
  date: string;
  browser: string;
  machine: { cpus: number; cpu: string; node: string; load_start: number[]; load_end: number[] };
  sizes: [number, number];
  runs: { cold: number; warm: number };
  assets: ReturnType<typeof initialAssets>;
  seed_seconds: Record<string, number>;
  navigation: {
    size: number;
    cold: Dist;
    warm: Dist;
    waterfall: { ms: number; resources: Resource[] };
  }[];
  paging: { limit: number; next: Dist; request: Dist; browser: Dist; scroll: ScrollFigures }[];
  live: { shown: Dist; patch: Dist };
}

async function writeDoc(section: string) {
  const doc = readFileSync(DOC, 'utf8');
  const block = `${BEGIN}\n\n${section}\n\n${END}`;
  let next: string;
  if (doc.includes(BEGIN) && doc.includes(END)) {
    next = doc.slice(0, doc.indexOf(BEGIN)) + block + doc.slice(doc.indexOf(END) + END.length);
  } else {
    const heading = `## Quality bars (measured)\n\n${block}\n\n`;
    const at = doc.indexOf('## Tests');
    next = at >= 0 ? doc.slice(0, at) + heading + doc.slice(at) : `${doc}\n${heading}`;
  }
  const options = (await prettier.resolveConfig(DOC)) ?? {};
  writeFileSync(DOC, await prettier.format(next, { ...options, filepath: DOC }));
}

async function main() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const cfg = CONFIGS[values.quick ? 'quick' : 'full'];
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error('web/dist is missing: run `npx vite build web` first');
  const started = performance.now();
  const loadStart = loadavg();
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const assets = initialAssets();
  log(`initial JS ${assets.js_gzip_kb} KB gzipped; starting the local stack…`);
  const stack = await startLocalStack({ port: 0 });
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the local stack`);
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const tab = await openPage(browser);
    const seedSeconds: Record<string, number> = {};
    const navigationResults: Results['navigation'] = [];
    let seeded = 0;
    for (const size of cfg.sizes) {
      const t0 = performance.now();
      await seedInstances(stack.dynamodbEndpoint, stack.tableNames, seeded, size);
      const written = (performance.now() - t0) / 1000;
      const counted = await waitForTotal(stack.url, size, 240_000);
      seeded = size;
      seedSeconds[size] = round(written + counted, 1);
      log(
        `${size} instances: written in ${written.toFixed(1)} s, counted ${counted.toFixed(1)} s later`,
      );
      // Let the broadcaster and the pollers go idle before timing anything.
      await sleep(1500);
      const nav = await navigation(tab, stack.url, cfg);
      log(`  usable cold ${fmtMs(nav.cold)}, warm ${fmtMs(nav.warm)}`);
      navigationResults.push({ size, ...nav });
    }
    log('paging and scrolling…');
    const pagingResults = await paging(tab, stack.url, cfg);
    for (const p of pagingResults)
      log(
        `  limit ${p.limit}: next ${fmtMs(p.next)} (request ${fmtMs(p.request)}, browser ${fmtMs(p.browser)}); scroll ${JSON.stringify(p.scroll)}`,
      );
    log('live latency…');
    const live = await liveLatency(tab, stack, cfg);
    log(`  shown ${fmtMs(live.shown)}`);
    const results: Results = {
      command: cfg.mode === 'full' ? 'npm run bench:console' : 'npm run bench:console -- --quick',
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      browser: browser.version(),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model.trim() ?? 'unknown',
        node: process.version,
        load_start: loadStart.map((l) => round(l)),
        load_end: loadavg().map((l) => round(l)),
      },
      sizes: cfg.sizes,
      runs: { cold: cfg.coldRuns, warm: cfg.warmRuns },
      assets,
      seed_seconds: seedSeconds,
      navigation: navigationResults,
      paging: pagingResults,
      live,
    };
    const section = markdown(results);
    const options = (await prettier.resolveConfig(DOC)) ?? {};
    process.stdout.write(
      `\n${await prettier.format(section, { ...options, parser: 'markdown' })}\n`,
    );
    const out = join(ROOT, '.bench');
    if (existsSync(out))
      writeFileSync(
        join(out, cfg.mode === 'full' ? 'console.json' : 'console-quick.json'),
        `${JSON.stringify(results, null, 2)}\n`,
      );
    if (cfg.mode === 'full') {
      await writeDoc(section);
      log('wrote docs/console/README.md');
    }
    log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await browser?.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
