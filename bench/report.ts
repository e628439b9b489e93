/**
 * The report (`.bench/report.json`, exactly the shape issue #6 asks for), the details beside it
 * (`.bench/details.json`: AWS-rule capacity, breakdowns, machine, settings), the budget
 * checks, and the Markdown: the table printed at the end of a run and docs/performance.md,
 * both generated from those two files.
 */
import type { OperationResult, BreakdownRow } from './operations.ts';
import type { ListCostResult } from './list-cost.ts';
import { tables, type TableName } from '../shared/config/tables.ts';
import { round } from './stats.ts';

export interface Report {
  baseline: { bundle_bytes: number; init_ms_median: number };
  functions: { name: string; bundle_bytes: number; init_ms_median: number }[];
  operations: { name: string; p50_ms: number; p99_ms: number; rcu: number; wcu: number }[];
  list_cost: { table_size: number; rcu_per_page: number }[];
  ws_delivery: { samples: number; p50_ms: number; p99_ms: number };
}

export interface InitDetail {
  name: string;
  runs: number;
  import_ms_median: number;
  /** CPU time of the import: less sensitive than wall time to other work on the machine. */
  import_cpu_ms_median: number;
  /** Spawn to exit of the whole process. */
  wall_ms_median: number;
  bundle_bytes: number;
  /** Where the bytes beyond the baseline come from (largest first, KB). */
  extra_kb_over_baseline: { origin: string; kb: number }[];
}

export interface Details {
  generated_at: string;
  mode: 'full' | 'quick';
  command: string;
  machine: {
    cpus: number;
    cpu_model: string;
    node: string;
    platform: string;
    loadavg_start: number[];
    loadavg_end: number[];
  };
  settings: Record<string, string | number>;
  init: { node_bare_wall_ms_median: number; baseline: InitDetail; functions: InitDetail[] };
  instance_item_bytes: number;
  operations: (Omit<OperationResult, 'breakdown'> & { breakdown: BreakdownRow[] })[];
  list_cost: ListCostResult[];
  ws_delivery_ms: number[];
  phase_seconds: Record<string, number>;
}

export interface Budget {
  name: string;
  limit: string;
  measured: string;
  pass: boolean;
  /** The same budget priced by AWS's rules, where Local's accounting differs. */
  aws?: { measured: string; pass: boolean };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.POSITIVE_INFINITY);
const x = (r: number) => `${r.toFixed(2)}×`;
const fmt = (n: number, d = 1) => n.toFixed(d);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

export const LIMITS = {
  // Issue #11: every function within 1.2× the baseline's bundle and cold init.
  initRatio: 1.2,
  bundleRatio: 1.2,
  getRcu: 1,
  createWcu: 12,
  updateWcu: 10,
  listRatio: 1.1,
  wsP50: 500,
  wsP99: 1500,
};

export function checkBudgets(report: Report, details: Details): Budget[] {
  const out: Budget[] = [];
  const base = report.baseline;
  const cpu = cpuRatios(details);
  for (const f of report.functions) {
    const ri = ratio(f.init_ms_median, base.init_ms_median);
    const rb = ratio(f.bundle_bytes, base.bundle_bytes);
    const rc = cpu.get(f.name);
    out.push({
      name: `${f.name}: cold init`,
      limit: `≤ ${LIMITS.initRatio}× baseline`,
      measured: `${x(ri)}${rc === undefined ? '' : ` (CPU time ${x(rc)})`}`,
      pass: ri <= LIMITS.initRatio,
    });
    out.push({
      name: `${f.name}: bundle`,
      limit: `≤ ${LIMITS.bundleRatio}× baseline`,
      measured: x(rb),
      pass: rb <= LIMITS.bundleRatio,
    });
  }
  const op = (name: string) => report.operations.find((o) => o.name === name);
  const detail = (name: string) => details.operations.find((o) => o.name === name);
  const capacity = (name: string, field: 'rcu' | 'wcu', limit: number, label: string) => {
    const o = op(name);
    const d = detail(name);
    if (!o || !d) return;
    const aws = field === 'rcu' ? d.awsRcu : d.awsWcu;
    out.push({
      name: label,
      limit: `≤ ${limit} ${field.toUpperCase()}`,
      measured: `${o[field]} ${field.toUpperCase()}`,
      pass: o[field] <= limit,
      aws: { measured: `${aws} ${field.toUpperCase()}`, pass: aws <= limit },
    });
  };
  capacity('get', 'rcu', LIMITS.getRcu, 'get');
  capacity('create', 'wcu', LIMITS.createWcu, 'create chain');
  capacity('update', 'wcu', LIMITS.updateWcu, 'update chain');
  const [small, large] = [...report.list_cost].sort((a, b) => a.table_size - b.table_size);
  if (small && large && large !== small) {
    const r = ratio(large.rcu_per_page, small.rcu_per_page);
    out.push({
      name: `list page RCU at ${large.table_size} vs ${small.table_size} instances`,
      limit: `≤ ${LIMITS.listRatio}×`,
      measured: `${x(r)} (${large.rcu_per_page} vs ${small.rcu_per_page})`,
      pass: r <= LIMITS.listRatio,
    });
  }
  const ws = report.ws_delivery;
  out.push({
    name: 'write → WebSocket p50',
    limit: `≤ ${LIMITS.wsP50} ms`,
    measured: `${fmt(ws.p50_ms)} ms`,
    pass: ws.p50_ms <= LIMITS.wsP50,
  });
  out.push({
    name: 'write → WebSocket p99',
    limit: `≤ ${LIMITS.wsP99} ms`,
    measured: `${fmt(ws.p99_ms)} ms`,
    pass: ws.p99_ms <= LIMITS.wsP99,
  });
  return out;
}

const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');

/** Each function's import CPU time over the baseline's. */
function cpuRatios(details: Details): Map<string, number> {
  const base = details.init.baseline.import_cpu_ms_median;
  return new Map(details.init.functions.map((f) => [f.name, ratio(f.import_cpu_ms_median, base)]));
}

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The tables printed by `npm run bench` (and embedded in docs/performance.md). */
export function markdownTables(report: Report, details: Details, budgets: Budget[]): string {
  const base = report.baseline;
  const initOf = new Map(details.init.functions.map((f) => [f.name, f]));
  const baseCpu = details.init.baseline.import_cpu_ms_median;
  const fnRows = [
    [
      '**baseline** (client + GetItem)',
      kb(base.bundle_bytes),
      '1.00×',
      fmt(base.init_ms_median),
      '1.00×',
      fmt(baseCpu),
      '1.00×',
      '',
    ],
    ...report.functions.map((f) => {
      const rb = ratio(f.bundle_bytes, base.bundle_bytes);
      const ri = ratio(f.init_ms_median, base.init_ms_median);
      const cpu = initOf.get(f.name)?.import_cpu_ms_median ?? Number.NaN;
      const ok = rb <= LIMITS.bundleRatio && ri <= LIMITS.initRatio;
      return [
        f.name,
        kb(f.bundle_bytes),
        x(rb),
        fmt(f.init_ms_median),
        x(ri),
        fmt(cpu),
        x(ratio(cpu, baseCpu)),
        verdict(ok),
      ];
    }),
  ];
  const opDetail = new Map(details.operations.map((o) => [o.name, o]));
  const opRows = report.operations.map((o) => {
    const d = opDetail.get(o.name);
    return [
      o.name,
      fmt(o.p50_ms, 2),
      fmt(o.p99_ms, 2),
      o.rcu,
      o.wcu,
      d?.indexWcu ?? '',
      d?.awsRcu ?? '',
      d?.awsWcu ?? '',
      `${d?.latencySamples ?? ''} / ${d?.capacitySamples ?? ''}`,
    ];
  });
  const listDetail = new Map(details.list_cost.map((l) => [l.table_size, l]));
  const listRows = report.list_cost.map((l) => {
    const d = listDetail.get(l.table_size);
    return [
      l.table_size,
      d?.items_on_page ?? '',
      l.rcu_per_page,
      d?.aws_rcu_per_page ?? '',
      (d?.calls ?? []).map((c) => `${c.command} ${c.rcu}`).join(', '),
    ];
  });
  const ws = report.ws_delivery;
  return [
    `### Functions: bundle and cold init (median of ${details.init.baseline.runs} fresh processes; \`node -e 0\` takes ${fmt(details.init.node_bare_wall_ms_median)} ms)`,
    '',
    table(
      [
        'Function',
        'Bundle KB',
        '× baseline',
        'Init ms',
        '× baseline',
        'Init CPU ms',
        '× baseline',
        `Budget (≤ ${LIMITS.bundleRatio}× bundle, ≤ ${LIMITS.initRatio}× init)`,
      ],
      fnRows,
    ),
    '',
    '### Operations: warm latency and capacity of the whole chain',
    '',
    table(
      [
        'Operation',
        'p50 ms',
        'p99 ms',
        'RCU',
        'WCU',
        'of which index WCU',
        'RCU (AWS rules)',
        'WCU (AWS rules)',
        'Samples (latency / capacity)',
      ],
      opRows,
    ),
    '',
    '### List cost: one page of 100, `status=active`',
    '',
    table(['Table size', 'Items on page', 'RCU', 'RCU (AWS rules)', 'Calls'], listRows),
    '',
    `### Write → WebSocket delivery: p50 ${fmt(ws.p50_ms)} ms, p99 ${fmt(ws.p99_ms)} ms (${ws.samples} samples)`,
    '',
    '### Budgets',
    '',
    table(
      ['Budget', 'Limit', 'Measured', 'Result', 'AWS rules'],
      budgets
        .filter((b) => !b.pass || !/: (cold init|bundle)$/.test(b.name))
        .map((b) => [
          b.name,
          b.limit,
          b.measured,
          verdict(b.pass),
          b.aws ? `${b.aws.measured} ${verdict(b.aws.pass)}` : '',
        ]),
    ),
    '',
    `${budgets.filter((b) => b.pass).length} of ${budgets.length} budgets pass (function rows that pass are left out of this table; see above).`,
  ].join('\n');
}

function breakdownTables(details: Details): string {
  const parts: string[] = [];
  for (const op of details.operations) {
    if (op.breakdown.length === 0) continue;
    parts.push(
      `**${op.name}** — ${op.rcu} RCU, ${op.wcu} WCU (AWS rules: ${op.awsRcu} RCU, ${op.awsWcu} WCU)`,
    );
    parts.push('');
    parts.push(
      table(
        [
          'Caller',
          'Table',
          'Call',
          'Items',
          'Kind',
          'Units (Local)',
          'of which index',
          'Units (AWS rules)',
        ],
        op.breakdown.map((b) => [
          b.source,
          b.table,
          b.command,
          b.item,
          b.kind,
          b.units,
          b.indexUnits,
          b.awsUnits,
        ]),
      ),
    );
    parts.push('');
  }
  return parts.join('\n');
}

interface Element {
  element: string;
  aws: number;
  local: number;
}

/** Names a breakdown row's table part and index part after the design choice they pay for. */
function elementsOf(b: BreakdownRow): Element[] {
  const tx = b.command === 'TransactWriteItems' ? ' (transactional write, 2×)' : '';
  const indexes = tables[b.table as TableName]?.indexes.length ?? 0;
  const tableName: Record<string, string> = {
    instances: `instance item${tx}`,
    history: `history record${tx}`,
  };
  const metaName = (item: string) => {
    if (item.includes('NAME')) return `name claim${tx}`;
    if (item.includes('COUNTER')) return 'id counter';
    if (item.includes('IDEMPOTENCY')) return 'idempotency record (claim, then stored response)';
    if (item.includes('STATS')) return `stats counters${tx}`;
    return `meta ${item}`;
  };
  const element =
    b.table === 'meta'
      ? metaName(b.item)
      : b.table === 'connections'
        ? 'subscriber lookup (broadcaster)'
        : (tableName[b.table] ?? `${b.table} ${b.item}`.trim());
  const out: Element[] = [
    { element, aws: b.awsUnits - b.awsIndexUnits, local: b.units - b.indexUnits },
  ];
  if (b.indexUnits > 0) {
    out.push({
      element: `${b.table} index entries (${indexes} KEYS_ONLY GSIs)`,
      aws: b.awsIndexUnits,
      local: b.indexUnits,
    });
  }
  return out;
}

/** The write chains of create / update / delete, by design element, AWS rules first. */
function writeChains(details: Details): string {
  const parts: string[] = [];
  for (const op of details.operations.filter((o) =>
    ['create', 'update', 'delete'].includes(o.name),
  )) {
    const sums = new Map<string, Element>();
    for (const b of op.breakdown.filter((r) => r.kind === 'write')) {
      for (const e of elementsOf(b)) {
        const s = sums.get(e.element) ?? { element: e.element, aws: 0, local: 0 };
        s.aws += e.aws;
        s.local += e.local;
        sums.set(e.element, s);
      }
    }
    const rows = [...sums.values()].sort((a, b) => b.aws - a.aws);
    parts.push(
      `**${op.name}**: ${op.awsWcu} WCU by AWS rules, ${op.wcu} WCU as DynamoDB Local reports it.`,
    );
    parts.push('');
    parts.push(
      table(
        ['Design element', 'WCU (AWS rules)', 'WCU (Local)'],
        [
          ...rows.map((r) => [r.element, round(r.aws), round(r.local)]),
          ['**total**', round(op.awsWcu), round(op.wcu)],
        ],
      ),
    );
    parts.push('');
  }
  return parts.join('\n');
}

/** For each function over the bundle budget: what it carries beyond the baseline. */
function bundleOrigins(report: Report, details: Details): string {
  const over = details.init.functions.filter(
    (f) => ratio(f.bundle_bytes, report.baseline.bundle_bytes) > LIMITS.bundleRatio,
  );
  if (over.length === 0) return 'Every function is within the bundle budget.';
  return table(
    ['Function', 'KB over baseline', 'Largest additions (KB)'],
    over.map((f) => [
      f.name,
      kb(f.bundle_bytes - report.baseline.bundle_bytes),
      f.extra_kb_over_baseline
        .slice(0, 6)
        .map((e) => `${e.origin} ${e.kb}`)
        .join(', '),
    ]),
  );
}

/** docs/performance.md: generated, never edited by hand. */
export function performanceDoc(report: Report, details: Details, budgets: Budget[]): string {
  const m = details.machine;
  const s = details.settings;
  return [
    '# Performance',
    '',
    `<!-- Generated by \`${details.command}\` on ${details.generated_at}. Do not edit: run the command again. -->`,
    '',
    `Generated by \`${details.command}\` on ${details.generated_at.slice(0, 10)} from \`.bench/report.json\` and \`.bench/details.json\`.`,
    'Reproduce with `npm run bench` (about 6–10 minutes on 2 cores; needs Java for DynamoDB Local);',
    '`npm run bench:quick` runs the same code with tiny samples (it is part of `npm test`).',
    '',
    '## How it is measured',
    '',
    `- Machine: ${m.cpus} × ${m.cpu_model}, ${m.platform}, Node ${m.node}; load average ${m.loadavg_start.map((l) => l.toFixed(2)).join(' / ')} at the start and ${m.loadavg_end.map((l) => l.toFixed(2)).join(' / ')} at the end. The machine is shared with other work, so absolute times are noisy; the budgets are ratios measured in the same run.`,
    `- Bundles: every deployed Lambda (each distinct handler of the HTTP, stream and WebSocket tables, the HTTP fallback and the data migrations) and a baseline handler that only creates a DynamoDB document client and does one GetItem (\`bench/baseline-handler.ts\`), bundled with the esbuild settings CDK uses (\`infra/bundling.ts\`). Sizes are the \`index.mjs\`, not the source map.`,
    `- Cold init: \`await import()\` of the bundle in a fresh \`node\` ${m.node} process, timed with the child's own \`performance.now()\` (the budget's figure) and \`process.cpuUsage()\` (CPU time, which other work on the machine disturbs far less), with the Lambda's environment (table names, dummy credentials, \`NODE_OPTIONS=${s.node_options}\`); median of ${s.init_rounds} runs, bundles alternated round by round, one process at a time. For reference, a bare \`node -e 0\` takes ${fmt(details.init.node_bare_wall_ms_median)} ms from spawn to exit.`,
    `- Latency: ${s.latency_samples} calls per operation through the real handler modules, warm, with real API Gateway payload-2.0 events built by the local gateway (\`handleHttp\` in \`infra/local/apigw-http.ts\`, no socket), against DynamoDB Local; the stream consumers run in the same process (poll interval ${s.stream_poll_ms} ms). Writes send an \`Idempotency-Key\` unless the operation's name says otherwise.`,
    `- Capacity: \`ReturnConsumedCapacity: INDEXES\` on every call of every client the handlers and stream consumers create (a middleware added through a hook in \`shared/aws/dynamo.ts\`), summed over the whole chain — API writes, id counter, name claim, idempotency record, stream → history, stats counters, the broadcaster's subscriber lookups — averaged over ${s.capacity_samples} calls each run alone with the streams drained in between. An instance item is about ${details.instance_item_bytes} bytes.`,
    "- DynamoDB Local's capacity figures are approximate (NOTES.md). Index writes are included (checked: a new item with the 7 KEYS_ONLY indexes of the instances table reports 1 + 7 WCU). Transactions are where Local departs from AWS: it reports 4 WCU per started KB of a table's items and 4 per index entry, where AWS bills 2 WCU per started KB of each item and a normal write per index entry. The \"AWS rules\" columns reprice every call by AWS's published rules (item sizes computed from the requests and stored items); the budgets are checked on Local's figures, with the AWS-rule verdict beside them.",
    `- List cost: fresh instances tables seeded with ${details.list_cost.map((l) => l.table_size).join(' and ')} valid stored instances (a fifth \`active\`), first page of \`GET /api/instances?status=active\` (limit 100) through the list handler's lister.`,
    `- WebSocket delivery: a \`ws\` client subscribed to one instance; PATCH over HTTP to the local server, timed until the \`instance.updated\` message arrives; ${details.ws_delivery_ms.length} samples 50 ms apart.`,
    '',
    '## Results',
    '',
    markdownTables(report, details, budgets),
    '',
    '## The write chains by design element',
    '',
    'Write units of each part of the chain, mean per call, index writes split out.',
    '',
    writeChains(details),
    '',
    '## What the bundles carry beyond the baseline',
    '',
    "Bytes in the minified output by npm package or project folder, over the baseline's bytes from the same origin (esbuild metafile), for the functions over the bundle budget.",
    '',
    bundleOrigins(report, details),
    '',
    '## Where the capacity goes',
    '',
    'Mean units per operation, by the handler module whose client made the call.',
    '',
    breakdownTables(details),
  ].join('\n');
}
