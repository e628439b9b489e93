/**
 * One soak phase, start to finish: a stack of its own (data in a scratch folder), two
 * subscribers, the writers, the fault in the middle of the load, then — once the load has
 * stopped — waiting for the stream to catch up (polled conditions, each with a deadline) and
 * checking everything. The windows of load before, during and after the fault are fixed
 * durations on purpose: they define the run, they stand in for no condition.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnStack } from '../../../infra/local/spawn-stack.ts';
import { INJECTED } from '../../../infra/local/stream-throttle.ts';
import {
  checkHistory,
  checkStats,
  historyCaughtUp,
  localDocumentClient,
  readTables,
  until,
  type HistoryCheck,
} from './check.ts';
import type { FaultContext, Phase } from './faults.ts';
import { quantile, Recorder } from './recorder.ts';
import { SoakSubscriber } from './subscribers.ts';
import { runWriters, soakClient } from './writers.ts';

export interface PhaseTiming {
  /** Load before the fault, during it (its duration), and after it, ms. */
  beforeMs: number;
  faultMs: number;
  afterMs: number;
  /** The dropping subscriber closes its socket this often, ms. */
  dropEveryMs: number;
  /** Deadline for each catch-up condition once the load stopped, ms. */
  catchUpMs: number;
  writers: number;
}

export interface PhaseResult extends HistoryCheck {
  phase: string;
  status500: { during: number; after: number; total: number };
  status503: { during: number; after: number };
  refused: number;
  conflicts: number;
  p50: number;
  p99: number;
  faultSeconds: number;
  statsEqual: boolean;
  historyCaughtUp: boolean;
  subscribers: { name: string; missing: number; duplicated: number; drops: number }[];
  /** Injected throttles and records set aside by the pollers, from the stacks' logs. */
  injected: number;
  setAside: number;
  checks: Check[];
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const count = (text: string, needle: string) => text.split(needle).length - 1;

export async function runPhase(phase: Phase, t: PhaseTiming): Promise<PhaseResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `ii-soak-${phase.name}-`));
  const first = await spawnStack(['--data-dir', dataDir, ...phase.args]);
  const ctx: FaultContext = { stack: first, dataDir, faultMs: t.faultMs };
  const logs: string[] = [];
  const subs: SoakSubscriber[] = [];
  try {
    phase.prepare?.(ctx);
    const { url } = first.info;
    subs.push(
      new SoakSubscriber('steady', url),
      new SoakSubscriber('dropping', url, t.dropEveryMs),
    );
    await Promise.all(subs.map((s) => s.ready()));

    const rec = new Recorder();
    let running = true;
    const writers = runWriters({
      baseUrl: url,
      recorder: rec,
      running: () => running,
      writers: t.writers,
      tag: `${phase.name}-${process.pid}`,
    });
    await sleep(t.beforeMs);
    const faultStart = Date.now();
    const before = ctx.stack;
    await phase.inject(ctx);
    if (ctx.stack !== before) logs.push(before.output());
    const faultEnd = Date.now();
    await sleep(t.afterMs);
    running = false;
    await writers;
    subs[1]!.stopDropping();

    const check = await catchUpAndCheck(ctx, rec, subs, t.catchUpMs);
    logs.push(ctx.stack.output());
    const latencies = rec.acks.map((a) => a.ms);
    const result: PhaseResult = {
      phase: phase.name,
      ...check,
      status500: {
        during: rec.statusCount(500, faultStart, faultEnd),
        after: rec.statusCount(500, faultEnd),
        total: rec.statusCount(500, 0),
      },
      status503: {
        during: rec.statusCount(503, faultStart, faultEnd),
        after: rec.statusCount(503, faultEnd),
      },
      refused: rec.refused.length,
      conflicts: rec.conflicts,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      faultSeconds: (faultEnd - faultStart) / 1000,
      injected: count(logs.join(''), INJECTED),
      setAside: count(logs.join(''), ' sent to '),
      checks: [],
    };
    result.checks = checksOf(result, phase.name === 'stream-throttle');
    return result;
  } finally {
    await Promise.all(subs.map((s) => s.close()));
    await ctx.stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function catchUpAndCheck(
  ctx: FaultContext,
  rec: Recorder,
  subs: SoakSubscriber[],
  timeoutMs: number,
) {
  const doc = localDocumentClient(ctx.stack.info.dynamodb);
  try {
    const tables = ctx.stack.info.tables;
    const history = await until(() => readTables(doc, tables), historyCaughtUp, timeoutMs);
    const ids = history.value.history.map((h) => Number(h.history_id));
    await until(
      async () => subs.every((s) => s.compare(ids).missing.length === 0),
      (done) => done,
      timeoutMs,
    );
    const client = soakClient(ctx.stack.info.url, new Recorder());
    const stats = await checkStats(client, history.value.instances, timeoutMs);
    return {
      ...checkHistory(rec.acks, history.value),
      historyCaughtUp: history.converged,
      statsEqual: stats.equal,
      subscribers: subs.map((s) => {
        const c = s.compare(ids);
        return {
          name: s.name,
          missing: c.missing.length,
          duplicated: c.duplicated,
          drops: s.drops,
        };
      }),
    };
  } finally {
    doc.destroy();
  }
}

/** Every check of a phase, passed or not: the closing line counts them. */
function checksOf(r: PhaseResult, expectInjected: boolean): Check[] {
  const c = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });
  const checks = [
    c('writes acknowledged', r.acknowledged > 0, `${r.acknowledged} acknowledged`),
    c('acknowledged writes have history', r.missing === 0, `${r.missing} missing`),
    c('one history record per version', r.duplicated === 0, `${r.duplicated} duplicated`),
    c('versions are 1..n per instance', r.versionErrors === 0, `${r.versionErrors} instances`),
    c('history ids unique', r.duplicateHistoryIds === 0, `${r.duplicateHistoryIds} repeated`),
    c('history caught up', r.historyCaughtUp, 'in time'),
    c('stats equal the recount', r.statsEqual, 'GET /api/instances/stats'),
    c('no 500', r.status500.total === 0, `${r.status500.total} responses 500`),
    c('nothing set aside', r.setAside === 0, `${r.setAside} batches to on-failure`),
    ...r.subscribers.flatMap((s) => [
      c(`subscriber ${s.name} has every record`, s.missing === 0, `${s.missing} missed`),
      c(`subscriber ${s.name} no duplicates`, s.duplicated === 0, `${s.duplicated} twice`),
    ]),
  ];
  if (expectInjected) checks.push(c('throttles injected', r.injected > 0, `${r.injected}`));
  return checks;
}
