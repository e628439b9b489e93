/**
 * The soak's checker, also used by test/integration/restart-under-load.test.ts. It reads the
 * instances and history tables whole (consistent scans: the truth, not what an API shows) and
 * the stats only through `GET /api/instances/stats` (how the stats item is stored is the
 * repository's business), and answers in counts, so a run can print them and a test can
 * assert that they are zero.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../../shared/aws/dynamo.ts';
import { LOCAL_AWS } from '../../../infra/local/dynamodb-local.ts';
import { statsView } from '../../../shared/domain/history.ts';
import { statsDelta } from '../../../shared/domain/history-record.ts';
import { isTombstone, toInstance } from '../../../shared/repo/items.ts';
import type { InstanceStats, InstancesClient } from '../../../client/index.ts';

type Item = Record<string, unknown>;

export interface TablesView {
  instances: Item[];
  history: Item[];
}

export interface HistoryCheck {
  /** Distinct acknowledged (instance, version) pairs. */
  acknowledged: number;
  historyRecords: number;
  /** Acknowledged writes without a history record of their version. */
  missing: number;
  /** History records beyond the first for an (instance, version). */
  duplicated: number;
  /** Instances whose history versions are not exactly 1..(committed version). */
  versionErrors: number;
  duplicateHistoryIds: number;
  /** The first few problems, for a human. */
  details: string[];
}

export async function scanAll(doc: DynamoDBDocumentClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const res = await doc.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return items;
}

export function localDocumentClient(endpoint: string): DynamoDBDocumentClient {
  return createDocumentClient(new DynamoDBClient({ endpoint, ...LOCAL_AWS }));
}

export async function readTables(
  doc: DynamoDBDocumentClient,
  tables: { instances: string; history: string },
): Promise<TablesView> {
  // Instances first: history read afterwards can only be further along, never behind.
  const instances = await scanAll(doc, tables.instances);
  return { instances, history: await scanAll(doc, tables.history) };
}

const key = (id: unknown, version: unknown) => `${Number(id)}#${Number(version)}`;

/** The stream has caught up: every instance's committed version has its history record. */
export function historyCaughtUp(view: TablesView): boolean {
  const recorded = new Set(view.history.map((h) => key(h.instance_id, h.version)));
  return view.instances.every((i) => recorded.has(key(i.id, i.version)));
}

export function checkHistory(
  acks: Iterable<{ id: number; version: number }>,
  view: TablesView,
): HistoryCheck {
  const records = new Map<string, number>();
  const versions = new Map<number, number[]>();
  for (const h of view.history) {
    const k = key(h.instance_id, h.version);
    records.set(k, (records.get(k) ?? 0) + 1);
    const id = Number(h.instance_id);
    versions.set(id, [...(versions.get(id) ?? []), Number(h.version)]);
  }
  const details: string[] = [];
  const acked = new Set([...acks].map((a) => key(a.id, a.version)));
  let missing = 0;
  for (const k of acked)
    if (!records.has(k)) {
      missing++;
      details.push(`acknowledged ${k} has no history record`);
    }
  let duplicated = 0;
  for (const [k, n] of records)
    if (n > 1) {
      duplicated += n - 1;
      details.push(`${k} has ${n} history records`);
    }
  let versionErrors = 0;
  for (const i of view.instances) {
    const got = (versions.get(Number(i.id)) ?? []).sort((a, b) => a - b);
    const expected = Array.from({ length: Number(i.version) }, (_, n) => n + 1);
    if (got.join() !== expected.join()) {
      versionErrors++;
      details.push(`instance ${String(i.id)} at v${String(i.version)}: history ${got.join(',')}`);
    }
  }
  const ids = view.history.map((h) => Number(h.history_id));
  return {
    acknowledged: acked.size,
    historyRecords: view.history.length,
    missing,
    duplicated,
    versionErrors,
    duplicateHistoryIds: ids.length - new Set(ids).size,
    details: details.slice(0, 10),
  };
}

/** What the stats must be: counted from the live instances. */
export function recount(instances: Item[]): InstanceStats {
  const counts: Record<string, number> = {};
  for (const item of instances.filter((i) => !isTombstone(i)))
    for (const [k, n] of Object.entries(statsDelta({}, toInstance(item))))
      counts[k] = (counts[k] ?? 0) + n;
  return statsView(counts);
}

/** Key-order-independent equality of two stats views. */
export function sameStats(a: InstanceStats, b: InstanceStats): boolean {
  const norm = (s: InstanceStats) =>
    JSON.stringify(
      Object.entries(s)
        .map(([k, v]) => [k, typeof v === 'object' ? Object.entries(v).sort() : v])
        .sort(),
    );
  return norm(a) === norm(b);
}

/**
 * Polls until `done(value)` or the deadline; returns the last value either way (the caller
 * reports what did not converge instead of throwing).
 */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  stepMs = 250,
): Promise<{ value: T; converged: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return { value, converged: true };
    if (Date.now() > deadline) return { value, converged: false };
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Stats from the API equal the recount (polled: the stats are eventually consistent). */
export async function checkStats(
  client: InstancesClient,
  instances: Item[],
  timeoutMs: number,
): Promise<{ equal: boolean; api: InstanceStats; recount: InstanceStats }> {
  const expected = recount(instances);
  const { value, converged } = await until(
    () => client.instanceStats(),
    (s) => sameStats(s, expected),
    timeoutMs,
  );
  return { equal: converged, api: value, recount: expected };
}
