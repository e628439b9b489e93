/**
 * Per-operation latency and capacity against DynamoDB Local, through the warm handler modules
 * (bench/gateway.ts) with the stream consumers running in the same process.
 *
 * Latency: many samples per operation, back to back; the stream consumers work in the
 * background as they would on the local stack, and the streams drain between operations.
 * Capacity: fewer samples, each followed by quiescence, so every call the operation causes,
 * the history writer's and the broadcaster's included, lands in that sample's window.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { call } from './gateway.ts';
import { route } from '../client/operations.ts';
import type { OperationId } from '../shared/routes/index.ts';
import { createBody } from './fixtures.ts';
import { sumCapacity, type CapacityCollector, type CapacityRecord } from './capacity.ts';
import { mean, percentile, round, sleep } from './stats.ts';

interface Live {
  id: number;
  /** history_id of its create record, looked up when a restore needs it. */
  createdHistoryId?: number;
}

/** Shared state of a run: the instances the operations work on. */
class Fleet {
  live: Live[] = [];
  private seq = 0;
  private readonly bumps = new Map<number, number>();

  nextBody(): Record<string, unknown> {
    return createBody(this.seq++);
  }

  /** Round-robin over the live instances. */
  pick(i: number): Live {
    const l = this.live[i % this.live.length];
    if (!l) throw new Error('no live instances to work on');
    return l;
  }

  /** A replicas value different from the instance's current one (2 at create, then 3..7). */
  nextReplicas(id: number): number {
    const n = this.bumps.get(id) ?? 0;
    this.bumps.set(id, n + 1);
    return 3 + (n % 5);
  }
}

const idem = () => ({ 'idempotency-key': randomUUID() });

export interface OperationDef {
  name: string;
  /** History records one call produces (the stream chain to wait for). */
  historyRecords: number;
  /** Untimed preparation before a phase of `n` calls. */
  prepare?(fleet: Fleet, n: number): Promise<void>;
  run(fleet: Fleet, i: number): Promise<void>;
}

/** Method and path of an operation, from the route definitions (the client's key table). */
const at = (id: OperationId, params?: Record<string, string | number>) => {
  const r = route(id, params);
  return [r.method, r.path] as const;
};

const withQuery = ([method, path]: readonly [string, string], query: string) =>
  [method, `${path}?${query}`] as const;

export function operationDefs(batchSize: number): OperationDef[] {
  const create = (withKey: boolean) => async (fleet: Fleet) => {
    const inst = await call<{ id: number }>(
      201,
      ...at('createInstance'),
      fleet.nextBody(),
      withKey ? idem() : {},
    );
    fleet.live.push({ id: inst.id });
  };
  const update = (withKey: boolean) => async (fleet: Fleet, i: number) => {
    const { id } = fleet.pick(i);
    await call(
      200,
      ...at('patchInstance', { id }),
      { replicas: fleet.nextReplicas(id) },
      withKey ? idem() : {},
    );
  };
  return [
    { name: 'create', historyRecords: 1, run: create(true) },
    { name: 'create_without_idempotency_key', historyRecords: 1, run: create(false) },
    {
      name: 'get',
      historyRecords: 0,
      run: async (fleet, i) => {
        await call(200, ...at('getInstance', { id: fleet.pick(i).id }));
      },
    },
    { name: 'update', historyRecords: 1, run: update(true) },
    { name: 'update_without_idempotency_key', historyRecords: 1, run: update(false) },
    {
      name: `batch_update_${batchSize}`,
      historyRecords: batchSize,
      run: async (fleet, i) => {
        const ids = Array.from({ length: batchSize }, (_, k) => fleet.pick(i * batchSize + k).id);
        const res = await call<{ failed: number }>(
          200,
          ...at('batchUpdate'),
          { updates: ids.map((id) => ({ id, data: { replicas: fleet.nextReplicas(id) } })) },
          idem(),
        );
        if (res.failed !== 0) throw new Error(`batch-update: ${res.failed} item(s) failed`);
      },
    },
    {
      name: 'restore',
      historyRecords: 1,
      prepare: async (fleet, n) => {
        for (let i = 0; i < Math.min(n, fleet.live.length); i++) {
          const l = fleet.pick(i);
          if (l.createdHistoryId !== undefined) continue;
          const page = await call<{ items: { history_id: number; operation_type: string }[] }>(
            200,
            ...withQuery(at('listHistory', { id: l.id }), 'operation_type=create'),
          );
          l.createdHistoryId = page.items[0]?.history_id;
          if (l.createdHistoryId === undefined) throw new Error(`no create record for ${l.id}`);
        }
      },
      run: async (fleet, i) => {
        const l = fleet.pick(i);
        await call(
          200,
          ...at('restoreInstance', { id: l.id, history_id: l.createdHistoryId! }),
          undefined,
          idem(),
        );
      },
    },
    {
      name: 'list',
      historyRecords: 0,
      run: async () => {
        await call(200, ...at('listInstances'));
      },
    },
    {
      name: 'history_list',
      historyRecords: 0,
      run: async (fleet, i) => {
        await call(200, ...at('listHistory', { id: fleet.pick(i).id }));
      },
    },
    {
      name: 'delete',
      historyRecords: 1,
      run: async (fleet) => {
        const l = fleet.live.pop();
        if (!l) throw new Error('no live instance left to delete');
        await call(200, ...at('deleteInstance', { id: l.id }), undefined, idem());
      },
    },
  ];
}

export interface BreakdownRow {
  source: string;
  table: string;
  command: string;
  kind: 'read' | 'write';
  item: string;
  /** Mean per operation. */
  units: number;
  indexUnits: number;
  awsUnits: number;
  awsIndexUnits: number;
}

export interface OperationResult {
  name: string;
  latencySamples: number;
  p50_ms: number;
  p99_ms: number;
  capacitySamples: number;
  rcu: number;
  wcu: number;
  indexWcu: number;
  awsRcu: number;
  awsWcu: number;
  /** Smallest and largest per-sample WCU (Local), to show the figure is stable. */
  wcuRange: [number, number];
  breakdown: BreakdownRow[];
}

export interface OperationsConfig {
  latencySamples: number;
  capacitySamples: number;
  batchSize: number;
  /** No instrumented call for this long = the streams are drained. */
  quietMs: number;
  log(msg: string): void;
}

/** Waits until no instrumented client has made a call for `quietMs`. */
export async function quiesce(collector: CapacityCollector, quietMs: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() - collector.lastActivity < quietMs) {
    if (Date.now() > deadline) throw new Error('the stream consumers did not go quiet');
    await sleep(Math.min(50, quietMs / 4));
  }
}

/**
 * Waits for the operation's stream chain: `records` history writes, then the broadcaster's
 * subscriber lookups after the last of them, then quiet.
 */
async function settle(collector: CapacityCollector, records: number, quietMs: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const seen = collector.records;
    const writes = seen.filter(
      (r) => r.source === 'stream/history-writer' && r.table === 'history',
    );
    const lastWrite = Math.max(0, ...writes.map((r) => r.at));
    const broadcast = seen.some((r) => r.source === 'stream/broadcaster' && r.at >= lastWrite);
    if (
      writes.length >= records &&
      (records === 0 || broadcast) &&
      Date.now() - collector.lastActivity >= quietMs
    )
      return;
    if (Date.now() > deadline) {
      throw new Error(
        `stream chain incomplete after 20 s: ${writes.length}/${records} history writes, broadcast=${broadcast}`,
      );
    }
    await sleep(10);
  }
}

function breakdown(samples: CapacityRecord[][]): BreakdownRow[] {
  const rows = new Map<string, BreakdownRow>();
  for (const r of samples.flat()) {
    const key = `${r.source}|${r.table}|${r.command}|${r.kind}|${r.item}`;
    const row = rows.get(key) ?? {
      source: r.source,
      table: r.table,
      command: r.command,
      kind: r.kind,
      item: r.item,
      units: 0,
      indexUnits: 0,
      awsUnits: 0,
      awsIndexUnits: 0,
    };
    row.units += r.units / samples.length;
    row.indexUnits += r.indexUnits / samples.length;
    row.awsUnits += r.awsUnits / samples.length;
    row.awsIndexUnits += r.awsIndexUnits / samples.length;
    rows.set(key, row);
  }
  return [...rows.values()].map((r) => ({
    ...r,
    units: round(r.units, 3),
    indexUnits: round(r.indexUnits, 3),
    awsUnits: round(r.awsUnits, 3),
    awsIndexUnits: round(r.awsIndexUnits, 3),
  }));
}

export async function runOperations(
  collector: CapacityCollector,
  cfg: OperationsConfig,
): Promise<OperationResult[]> {
  const defs = operationDefs(cfg.batchSize);
  const fleet = new Fleet();
  const latency = new Map<string, number[]>();

  // Latency: the collector only watches for activity.
  collector.enabled = false;
  for (const op of defs) {
    await op.prepare?.(fleet, cfg.latencySamples + 1);
    // One untimed call first: the handler module loads (its cold start) outside the samples.
    await op.run(fleet, cfg.latencySamples);
    const ms: number[] = [];
    for (let i = 0; i < cfg.latencySamples; i++) {
      const t0 = performance.now();
      await op.run(fleet, i);
      ms.push(performance.now() - t0);
    }
    latency.set(op.name, ms);
    await quiesce(collector, cfg.quietMs * 2);
    cfg.log(
      `  ${op.name}: p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`,
    );
  }

  // Capacity: one call at a time, its whole chain settled before the next.
  const results: OperationResult[] = [];
  collector.take();
  collector.enabled = true;
  try {
    for (const op of defs) {
      await op.prepare?.(fleet, cfg.capacitySamples);
      const samples: CapacityRecord[][] = [];
      for (let i = 0; i < cfg.capacitySamples; i++) {
        await quiesce(collector, cfg.quietMs);
        collector.take();
        await op.run(fleet, i);
        await settle(collector, op.historyRecords, cfg.quietMs);
        samples.push(collector.take());
      }
      const sums = samples.map(sumCapacity);
      const ms = latency.get(op.name)!;
      const result: OperationResult = {
        name: op.name,
        latencySamples: ms.length,
        p50_ms: round(percentile(ms, 50)),
        p99_ms: round(percentile(ms, 99)),
        capacitySamples: samples.length,
        rcu: round(mean(sums.map((s) => s.rcu))),
        wcu: round(mean(sums.map((s) => s.wcu))),
        indexWcu: round(mean(sums.map((s) => s.indexWcu))),
        awsRcu: round(mean(sums.map((s) => s.awsRcu))),
        awsWcu: round(mean(sums.map((s) => s.awsWcu))),
        wcuRange: [Math.min(...sums.map((s) => s.wcu)), Math.max(...sums.map((s) => s.wcu))],
        breakdown: breakdown(samples),
      };
      results.push(result);
      cfg.log(
        `  ${op.name}: ${result.rcu} RCU, ${result.wcu} WCU (AWS rules: ${result.awsRcu} RCU, ${result.awsWcu} WCU)`,
      );
    }
  } finally {
    collector.enabled = false;
  }
  return results;
}
