/**
 * `npm run bench` (issue #6, SPEC §7): bundle sizes and cold init beside a baseline, warm
 * latency and whole-chain capacity per operation, list cost at two table sizes and
 * write → WebSocket delivery, all in one run. Prints Markdown, writes `.bench/report.json`
 * and `.bench/details.json`, and regenerates docs/performance.md.
 *
 *   npm run bench                full run (≤ 10 minutes on 2 cores)
 *   npm run bench:quick          tiny samples, writes .bench/quick/, leaves the docs alone
 *   … -- --out DIR               another output folder
 *   … -- --strict                exit 1 when a budget fails
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { startLocalStack } from '../infra/local/stack.ts';
import { CapacityCollector } from './capacity.ts';
import { bundleAll, PROJECT_ROOT } from './bundles.ts';
import { measureInit } from './cold-init.ts';
import { runOperations } from './operations.ts';
import { measureListCost } from './list-cost.ts';
import { measureWsDelivery } from './ws-delivery.ts';
import { seedItem } from './fixtures.ts';
import { itemSize } from './item-size.ts';
import {
  checkBudgets,
  markdownTables,
  performanceDoc,
  type Details,
  type Report,
} from './report.ts';
import { median, round } from './stats.ts';

export interface BenchConfig {
  mode: 'full' | 'quick';
  initRounds: number;
  /** Fresh processes at once while measuring init (1 = undisturbed). */
  initConcurrency: number;
  /** Measure the bundles and the local stack at the same time (quick mode only). */
  overlap: boolean;
  latencySamples: number;
  capacitySamples: number;
  wsSamples: number;
  listSizes: [number, number];
  batchSize: number;
  quietMs: number;
}

export const CONFIGS: Record<BenchConfig['mode'], BenchConfig> = {
  full: {
    mode: 'full',
    initRounds: 11,
    initConcurrency: 1,
    overlap: false,
    latencySamples: 200,
    capacitySamples: 30,
    wsSamples: 60,
    listSizes: [1_000, 20_000],
    batchSize: 5,
    quietMs: 150,
  },
  quick: {
    mode: 'quick',
    initRounds: 1,
    initConcurrency: 2,
    overlap: true,
    latencySamples: 10,
    capacitySamples: 1,
    wsSamples: 5,
    listSizes: [50, 500],
    batchSize: 5,
    quietMs: 250,
  },
};

/** The local stack's default poll interval, stated so the report can say it. */
const STREAM_POLL_MS = 100;

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function formatMarkdown(text: string, filepath: string): Promise<string> {
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  return prettier.format(text, { ...options, filepath });
}

export async function runBench(cfg: BenchConfig, outDir: string, docsFile?: string) {
  const started = performance.now();
  const phases: Record<string, number> = {};
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    log(`[bench] ${name}…`);
    const out = await fn();
    phases[name] = round((performance.now() - t0) / 1000, 1);
    log(`[bench] ${name} done in ${phases[name]} s`);
    return out;
  };
  const loadStart = loadavg();

  // Quick mode overlaps the halves, but not DynamoDB Local's start: a JVM booting beside
  // esbuild on a busy 2-core machine can miss the local stack's start-up deadline.
  let stackUp = () => {};
  const stackStarted = new Promise<void>((resolve) => (stackUp = resolve));

  const measureFunctions = async () => {
    if (cfg.overlap) await stackStarted;
    const bundleDir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
    try {
      const bundles = await phase('bundle', () => bundleAll(bundleDir));
      const all = [bundles.baseline, ...bundles.functions];
      const init = await phase(`cold init (${cfg.initRounds} rounds × ${all.length} bundles)`, () =>
        measureInit(all, cfg.initRounds, cfg.initConcurrency, (r) =>
          log(`  round ${r}/${cfg.initRounds}`),
        ),
      );
      return { ...bundles, init };
    } finally {
      rmSync(bundleDir, { recursive: true, force: true });
    }
  };

  const measureSystem = async () => {
    process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
    // The stack shows the collector each handler module's client as the module builds it.
    const collector = new CapacityCollector();
    const stack = await phase('start local stack', () =>
      startLocalStack({
        port: 0,
        streamPollMs: STREAM_POLL_MS,
        // The operations call handleHttp directly, which wakes no consumer (the stack's server
        // does): a fixed interval keeps the stream chain as fast as in runs before the backoff.
        streamIdleMs: STREAM_POLL_MS,
        onDynamoClient: collector.observe,
      }),
    ).finally(stackUp);
    // Interrupted (Ctrl-C, a test timeout): stop DynamoDB Local too, or its JVM outlives us.
    const interrupted = (signal: NodeJS.Signals) => {
      log(`[bench] ${signal}: stopping the local stack`);
      void stack.stop().finally(() => process.exit(130));
    };
    process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
    try {
      collector.configure(
        stack.tableNames,
        stack.dynamodbEndpoint,
        process.env.AWS_REGION ?? 'us-east-1',
      );
      const operations = await phase('operations', () =>
        runOperations(collector, {
          latencySamples: cfg.latencySamples,
          capacitySamples: cfg.capacitySamples,
          batchSize: cfg.batchSize,
          quietMs: cfg.quietMs,
          log,
        }),
      );
      const wsDelivery = await phase('websocket delivery', () =>
        measureWsDelivery(stack, cfg.wsSamples),
      );
      const listCost = await phase('list cost', () =>
        measureListCost(stack.dynamodbEndpoint, cfg.listSizes, collector, log),
      );
      return { operations, wsDelivery, listCost, failures: collector.failures };
    } finally {
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
      await stack.stop();
    }
  };

  // Full run: cold init first and alone, before DynamoDB Local's JVM shares the CPU. The quick
  // run only checks that everything works, so it overlaps the two halves.
  let fns: Awaited<ReturnType<typeof measureFunctions>>;
  let sys: Awaited<ReturnType<typeof measureSystem>>;
  if (cfg.overlap) {
    [fns, sys] = await Promise.all([measureFunctions(), measureSystem()]);
  } else {
    fns = await measureFunctions();
    sys = await measureSystem();
  }
  const { baseline, functions, init } = fns;
  const { operations, wsDelivery, listCost } = sys;
  const bundles = [baseline, ...functions];
  const initDetail = init.results.map((r, i) => ({
    name: r.name,
    runs: r.importMs.length,
    import_ms_median: round(median(r.importMs)),
    import_cpu_ms_median: round(median(r.cpuMs)),
    wall_ms_median: round(median(r.wallMs)),
    bundle_bytes: bundles[i]!.bytes,
    extra_kb_over_baseline: Object.entries(bundles[i]!.origins)
      .map(([origin, bytes]) => ({
        origin,
        kb: round((bytes - (baseline.origins[origin] ?? 0)) / 1024, 1),
      }))
      .filter((e) => e.kb >= 1)
      .sort((a, b) => b.kb - a.kb),
  }));

  const [baseInit, ...fnInit] = initDetail;
  const report: Report = {
    baseline: { bundle_bytes: baseline.bytes, init_ms_median: baseInit!.import_ms_median },
    functions: functions.map((f, i) => ({
      name: f.name,
      bundle_bytes: f.bytes,
      init_ms_median: fnInit[i]!.import_ms_median,
    })),
    operations: operations.map((o) => ({
      name: o.name,
      p50_ms: o.p50_ms,
      p99_ms: o.p99_ms,
      rcu: o.rcu,
      wcu: o.wcu,
    })),
    list_cost: listCost.map((l) => ({ table_size: l.table_size, rcu_per_page: l.rcu_per_page })),
    ws_delivery: {
      samples: wsDelivery.samples,
      p50_ms: wsDelivery.p50_ms,
      p99_ms: wsDelivery.p99_ms,
    },
  };
  const details: Details = {
    generated_at: new Date().toISOString(),
    mode: cfg.mode,
    command: cfg.mode === 'full' ? 'npm run bench' : 'npm run bench:quick',
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadavg_start: loadStart.map((l) => round(l)),
      loadavg_end: loadavg().map((l) => round(l)),
    },
    settings: {
      init_rounds: cfg.initRounds,
      latency_samples: cfg.latencySamples,
      capacity_samples: cfg.capacitySamples,
      ws_samples: cfg.wsSamples,
      batch_size: cfg.batchSize,
      stream_poll_ms: STREAM_POLL_MS,
      node_options: '--enable-source-maps',
      capacity_call_failures: sys.failures,
      dummy_env_added: init.addedEnv.join(', ') || 'none',
    },
    init: {
      node_bare_wall_ms_median: round(median(init.nodeBareWallMs)),
      baseline: baseInit!,
      functions: fnInit,
    },
    instance_item_bytes: itemSize({ ...seedItem(1, 1, new Date().toISOString()) }),
    operations,
    list_cost: listCost,
    ws_delivery_ms: wsDelivery.all_ms,
    phase_seconds: { ...phases, total: round((performance.now() - started) / 1000, 1) },
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'details.json'), `${JSON.stringify(details, null, 2)}\n`);
  return render(report, details, outDir, docsFile);
}

/**
 * Budgets and Markdown from a report and its details; also `--render`, which regenerates
 * docs/performance.md from the files of the last run without measuring again. Formatted the
 * way `prettier --check .` (part of npm test) expects, columns aligned for the terminal.
 */
export async function render(report: Report, details: Details, outDir: string, docsFile?: string) {
  const budgets = checkBudgets(report, details);
  writeFileSync(join(outDir, 'budgets.json'), `${JSON.stringify(budgets, null, 2)}\n`);
  if (docsFile) {
    writeFileSync(
      docsFile,
      await formatMarkdown(performanceDoc(report, details, budgets), docsFile),
    );
  }
  const markdown = await formatMarkdown(
    markdownTables(report, details, budgets),
    join(outDir, 'report.md'),
  );
  return { report, details, budgets, markdown };
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      strict: { type: 'boolean', default: false },
      render: { type: 'boolean', default: false },
    },
  });
  const cfg = CONFIGS[values.quick ? 'quick' : 'full'];
  const outDir = resolve(values.out ?? join(PROJECT_ROOT, '.bench', values.quick ? 'quick' : ''));
  // Only a full run may regenerate the documented numbers.
  const docsFile = cfg.mode === 'full' ? join(PROJECT_ROOT, 'docs', 'performance.md') : undefined;
  if (docsFile) mkdirSync(join(PROJECT_ROOT, 'docs'), { recursive: true });
  const { markdown, budgets, details } = values.render
    ? await render(
        readJson<Report>(join(outDir, 'report.json')),
        readJson<Details>(join(outDir, 'details.json')),
        outDir,
        docsFile,
      )
    : await runBench(cfg, outDir, docsFile);
  process.stdout.write(`\n${markdown}\n`);
  log(
    `[bench] ${details.phase_seconds.total} s; wrote ${relative(process.cwd(), join(outDir, 'report.json'))}` +
      (docsFile ? ` and ${relative(process.cwd(), docsFile)}` : ''),
  );
  const failed = budgets.filter((b) => !b.pass);
  if (values.strict && failed.length) process.exitCode = 1;
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
