/**
 * The benchmark in quick mode (tiny samples, `npm run bench:quick`), so it cannot rot: it
 * bundles every function, imports each in fresh processes, drives every operation through its
 * own in-process local stack and writes a report in the shape issue #6 fixes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedHandlers } from '../../bench/bundles.ts';
import type { Report } from '../../bench/report.ts';
import { CONFIGS } from '../../bench/run.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;
let report: Report;
let stderr = '';
let child: ChildProcess | undefined;

function runQuick(out: string): Promise<void> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child = proc;
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`bench:quick exited ${code}:\n${stderr}`)),
    );
  });
}

const isPositive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;
const isNonNegative = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
/** Asymmetric matchers for `toEqual`: real values, not just "some number" (NaN, ∞ and 0 fail). */
const positive = expect.toSatisfy(isPositive, 'a finite number > 0');
const nonNegative = expect.toSatisfy(isNonNegative, 'a finite number >= 0');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-quick-'));
  await runQuick(dir);
  report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
}, 300_000);

afterAll(() => {
  // A bench still running (timeout) stops its own DynamoDB Local on SIGTERM.
  if (child && child.exitCode === null) child.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run bench:quick', () => {
  it('writes exactly the report shape of issue #6', () => {
    expect(Object.keys(report).sort()).toEqual([
      'baseline',
      'functions',
      'list_cost',
      'operations',
      'ws_delivery',
    ]);
    expect(report.baseline).toEqual({ bundle_bytes: positive, init_ms_median: positive });
    for (const f of report.functions) {
      expect(f).toEqual({
        name: expect.any(String),
        bundle_bytes: positive,
        init_ms_median: positive,
      });
    }
    for (const o of report.operations) {
      expect(o).toEqual({
        name: expect.any(String),
        p50_ms: positive,
        p99_ms: positive,
        rcu: nonNegative,
        wcu: nonNegative,
      });
      expect(o.p99_ms, o.name).toBeGreaterThanOrEqual(o.p50_ms);
    }
    for (const l of report.list_cost) {
      expect(l).toEqual({ table_size: positive, rcu_per_page: positive });
    }
    expect(report.ws_delivery).toEqual({ samples: positive, p50_ms: positive, p99_ms: positive });
    expect(report.ws_delivery.samples).toBe(CONFIGS.quick.wsSamples);
  });

  it('bundles and cold-starts the baseline and every deployed function', () => {
    expect(report.functions.map((f) => f.name)).toEqual(deployedHandlers());
    for (const f of [report.baseline, ...report.functions]) {
      expect(f.bundle_bytes).toEqual(positive);
      expect(f.init_ms_median).toEqual(positive);
    }
  });

  it('times every operation and counts the capacity of its whole chain', () => {
    const byName = new Map(report.operations.map((o) => [o.name, o]));
    for (const name of ['create', 'get', 'update', 'delete', 'list', 'history_list']) {
      const o = byName.get(name);
      expect(o, name).toBeDefined();
      expect(o!.p50_ms, name).toEqual(positive);
      expect(o!.p99_ms, name).toBeGreaterThanOrEqual(o!.p50_ms);
    }
    // Reads cost read units only; writes cost write units, the stream chain included.
    expect(byName.get('get')!.rcu).toEqual(positive);
    expect(byName.get('get')!.wcu).toBe(0);
    expect(byName.get('list')!.rcu).toEqual(positive);
    for (const name of ['create', 'update', 'delete']) {
      expect(byName.get(name)!.wcu, name).toEqual(positive);
    }
    // The chain: more than the API's own transaction (history + counters come from the stream).
    expect(stderr).toMatch(/create: .* WCU/);
  });

  it('prices a list page at two table sizes and times WebSocket delivery', () => {
    const sizes = report.list_cost.map((l) => l.table_size);
    expect(sizes).toHaveLength(2);
    expect(sizes[1]! / sizes[0]!).toBeGreaterThanOrEqual(10);
    for (const l of report.list_cost) expect(l.rcu_per_page).toEqual(positive);
    expect(report.ws_delivery.p99_ms).toBeGreaterThanOrEqual(report.ws_delivery.p50_ms);
  });
});
