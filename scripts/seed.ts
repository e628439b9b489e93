/**
 * `npm run seed`: fills the running local stack with realistic instances and a history for
 * each, through the API with the typed client. API_URL overrides http://127.0.0.1:$PORT (8000);
 * API_TOKEN is sent as the bearer token when the stack runs with --auth (it needs
 * instances:admin for the deletes and restores). A stack that already has the first seeded
 * instance is left alone; otherwise names already taken are skipped one by one.
 */
import {
  ConflictError,
  InstancesClient,
  type CreateInstanceInput,
  type Instance,
  type Priority,
  type Status,
  type UpdateInstanceInput,
} from '../client/index.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(
    [
      'npm run seed: realistic instances and history into a running local stack.',
      '  API_URL    the API base (default http://127.0.0.1:$PORT)',
      '  PORT       the port of `npm start` when API_URL is unset (default 8000)',
      '  API_TOKEN  bearer token for a stack started with --auth (needs instances:admin)',
    ].join('\n'),
  );
  process.exit(0);
}
const baseUrl = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8000}`;
const client = new InstancesClient({ baseUrl, token: process.env.API_TOKEN });

interface Model {
  short: string;
  model_name: string;
  model_version: string;
  image_tag: string;
  tp: number;
  pp?: number;
  quantization?: string;
  task_concurrency: number;
  envs: Record<string, string>;
}

const MODELS: Model[] = [
  {
    short: 'llama31-70b',
    model_name: 'meta-llama/Llama-3.1-70B-Instruct',
    model_version: '2024-07-23',
    image_tag: 'vllm/vllm-openai:v0.6.3',
    tp: 8,
    quantization: 'fp8',
    task_concurrency: 64,
    envs: { VLLM_ATTENTION_BACKEND: 'FLASH_ATTN', MAX_MODEL_LEN: '32768' },
  },
  {
    short: 'llama31-8b',
    model_name: 'meta-llama/Llama-3.1-8B-Instruct',
    model_version: '2024-07-23',
    image_tag: 'vllm/vllm-openai:v0.6.3',
    tp: 1,
    task_concurrency: 128,
    envs: { MAX_MODEL_LEN: '16384' },
  },
  {
    short: 'mixtral-8x7b',
    model_name: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
    model_version: 'v0.1',
    image_tag: 'ghcr.io/huggingface/text-generation-inference:2.4.0',
    tp: 4,
    quantization: 'awq',
    task_concurrency: 32,
    envs: { MAX_BATCH_PREFILL_TOKENS: '8192' },
  },
  {
    short: 'qwen25-72b',
    model_name: 'Qwen/Qwen2.5-72B-Instruct',
    model_version: '2024-09-19',
    image_tag: 'vllm/vllm-openai:v0.6.2',
    tp: 4,
    pp: 2,
    quantization: 'int4',
    task_concurrency: 48,
    envs: { VLLM_WORKER_MULTIPROC_METHOD: 'spawn' },
  },
  {
    short: 'sdxl',
    model_name: 'stabilityai/stable-diffusion-xl-base-1.0',
    model_version: '1.0',
    image_tag: 'ghcr.io/acme/diffusion-server:3.2.1',
    tp: 1,
    task_concurrency: 4,
    envs: { TORCH_CUDNN_V8_API_ENABLED: '1' },
  },
  {
    short: 'flux-dev',
    model_name: 'black-forest-labs/FLUX.1-dev',
    model_version: '1.0',
    image_tag: 'ghcr.io/acme/diffusion-server:3.3.0',
    tp: 2,
    task_concurrency: 2,
    envs: { T5_OFFLOAD: '1' },
  },
  {
    short: 'whisper-v3',
    model_name: 'openai/whisper-large-v3',
    model_version: 'v3',
    image_tag: 'ghcr.io/acme/whisper-server:1.4.0',
    tp: 1,
    task_concurrency: 16,
    envs: { OMP_NUM_THREADS: '8' },
  },
];

const CLUSTERS = [
  { name: 'h100-us-east-1a', region: 'use1' },
  { name: 'h100-us-west-2b', region: 'usw2' },
  { name: 'a100-eu-west-1a', region: 'euw1' },
  { name: 'l40s-eu-central-1b', region: 'euc1' },
  { name: 'a10g-ap-south-1a', region: 'aps1' },
];

const ENVS = ['prod', 'staging', 'canary', 'dev'] as const;
const PRIORITY_BY_ENV: Record<(typeof ENVS)[number], Priority> = {
  prod: 'critical',
  staging: 'medium',
  canary: 'high',
  dev: 'low',
};
const STATUS_CYCLE: Status[] = ['active', 'active', 'error', 'active', 'inactive', 'terminated'];

/** A deterministic spread of models, clusters, envs and statuses (24 instances). */
function plan(): CreateInstanceInput[] {
  const out: CreateInstanceInput[] = [];
  for (let i = 0; i < 24; i++) {
    const model = MODELS[i % MODELS.length]!;
    const cluster = CLUSTERS[(i * 3) % CLUSTERS.length]!;
    const env = ENVS[i % ENVS.length]!;
    const replicas = env === 'prod' ? 4 + (i % 5) : env === 'dev' ? 1 : 2;
    out.push({
      name: `${model.short}-${env}-${cluster.region}`,
      model_name: model.model_name,
      model_version: model.model_version,
      cluster_name: cluster.name,
      image_tag: model.image_tag,
      replicas,
      tp: model.tp,
      pp: model.pp ?? 1,
      workers: Math.max(1, Math.ceil(replicas / 2)),
      task_concurrency: model.task_concurrency,
      cuda_graph: model.tp <= 4,
      pipeline_mode: (model.pp ?? 1) > 1,
      ...(model.quantization ? { quantization: model.quantization } : {}),
      status: env === 'dev' ? 'pending' : STATUS_CYCLE[i % STATUS_CYCLE.length]!,
      priority: PRIORITY_BY_ENV[env],
      description: `${model.model_name} for ${env} traffic on ${cluster.name}`,
      envs: { ...model.envs, DEPLOY_ENV: env, HF_HUB_OFFLINE: '1' },
    });
  }
  return out;
}

/** The changes each instance goes through after its create (i picks a variant). */
function changesFor(i: number, inst: Instance): UpdateInstanceInput[] {
  const bumped = inst.image_tag.replace(/(\d+)(?!.*\d)/, (n) => String(Number(n) + 1));
  const variants: UpdateInstanceInput[][] = [
    [{ replicas: inst.replicas + 2 }, { image_tag: bumped }],
    [{ envs: { ...inst.envs, NCCL_DEBUG: 'WARN' } }, { replicas: 1, workers: 1 }],
    [{ description: `${inst.description} (load-tested)` }],
    // A rollout that was paused and resumed: back to the status it had.
    [{ image_tag: bumped }, { status: 'inactive' }, { status: inst.status, priority: 'high' }],
  ];
  return variants[(i + Math.floor(i / 4)) % variants.length]!;
}

async function waitForHistory(id: number, version: number): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const page = await client.listHistory(id, { limit: 1, sort_order: 'desc' });
    const top = page.items[0];
    if (top && top.version >= version) return top.history_id;
    if (Date.now() > deadline)
      throw new Error(`history of instance ${id} did not reach v${version}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  try {
    await client.health();
  } catch (err) {
    console.error(`No API at ${baseUrl} (${(err as Error).message}). Start it with \`npm start\`.`);
    process.exit(1);
  }
  const inputs = plan();
  const marker = inputs[0]!.name;
  const existing = await client.listInstances({ name: marker, limit: 10 });
  if (existing.items.some((i) => i.name === marker)) {
    console.log(`${baseUrl} is already seeded (instance "${marker}" exists); nothing to do.`);
    return;
  }
  const rows: { inst: Instance; ops: string[] }[] = [];
  let skipped = 0;
  for (const [i, input] of inputs.entries()) {
    let inst: Instance;
    try {
      inst = await client.createInstance(input);
    } catch (err) {
      if (err instanceof ConflictError) {
        skipped++;
        continue;
      }
      throw err;
    }
    const ops = ['create'];
    for (const patch of changesFor(i, inst)) {
      const next = await client.updateIfMatch(inst.id, inst, patch);
      // A patch that changes nothing makes no version and no history.
      if (next.version !== inst.version) ops.push('update');
      inst = next;
    }
    // Every fifth instance is retired; every tenth comes back from its history.
    if (i % 5 === 4) {
      const deletedAt = inst.version + 1;
      await client.deleteInstance(inst.id, { ifMatch: inst });
      ops.push('delete');
      if (i % 10 === 9) {
        const historyId = await waitForHistory(inst.id, deletedAt);
        inst = await client.restoreInstance(inst.id, historyId);
        ops.push('restore');
      }
    }
    rows.push({ inst, ops });
  }

  const line = (cols: (string | number)[]) =>
    cols.map((c, i) => String(c).padEnd([5, 28, 41, 19, 11, 9, 3][i] ?? 0)).join(' ');
  console.log(`Seeded ${baseUrl}: ${rows.length} instances created, ${skipped} already there.\n`);
  console.log(line(['id', 'name', 'model', 'cluster', 'status', 'priority', 'v']) + ' history');
  for (const { inst, ops } of rows) {
    const deleted = ops[ops.length - 1] === 'delete';
    console.log(
      line([
        inst.id,
        inst.name,
        inst.model_name,
        inst.cluster_name,
        deleted ? '(deleted)' : inst.status,
        inst.priority,
        deleted ? inst.version + 1 : inst.version,
      ]) + ` ${summarize(ops)}`,
    );
  }
  if (rows.length) {
    const stats = await client.instanceStats();
    console.log(
      `\nStats (eventually consistent): ${stats.total} live, by status ${JSON.stringify(stats.by_status)}`,
    );
  }
}

/** `create, update×2, delete` */
function summarize(ops: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < ops.length;) {
    let n = 1;
    while (ops[i + n] === ops[i]) n++;
    out.push(n > 1 ? `${ops[i]}×${n}` : ops[i]!);
    i += n;
  }
  return out.join(', ');
}

await main();
