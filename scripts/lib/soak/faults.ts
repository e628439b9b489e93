/**
 * The soak's phases: each is the stack arguments it starts with and the fault it injects into
 * its fault window. `inject` returns when the fault is over (the window is its duration).
 */
import { readStackState } from '../../../infra/local/stack-state.ts';
import { spawnStack, type SpawnedStack } from '../../../infra/local/spawn-stack.ts';

export interface FaultContext {
  /** The running stack; a restart replaces it. */
  stack: SpawnedStack;
  dataDir: string;
  /** How long the fault lasts (a stall, a throttled window), ms. */
  faultMs: number;
}

export interface Phase {
  name: string;
  /** Extra `npm start` arguments (the data folder is added). */
  args: string[];
  /** Called once the stack is up, before any load (e.g. to arm a fault switched off). */
  prepare?: (ctx: FaultContext) => void;
  inject: (ctx: FaultContext) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Share of stream batches that throw while the throttle phase's fault is on. */
const THROTTLE_RATE = 0.5;

export const PHASES: readonly Phase[] = [
  // No fault: the window is only a window, so every phase's row has the same columns.
  { name: 'baseline', args: [], inject: (ctx) => sleep(ctx.faultMs) },
  {
    name: 'dynamodb-stall',
    args: [],
    async inject(ctx) {
      // DynamoDB Local's whole process group (a shell wrapping Java): every thread stops.
      const pid = readStackState(ctx.stack.info.state).dynamodbPid;
      if (!pid) throw new Error('stack.json has no dynamodbPid');
      process.kill(-pid, 'SIGSTOP');
      try {
        await sleep(ctx.faultMs);
      } finally {
        process.kill(-pid, 'SIGCONT');
      }
    },
  },
  {
    name: 'restart',
    args: [],
    async inject(ctx) {
      // Ctrl-C to the whole group mid-load, then the same data folder on the same port, so
      // the clients' URLs stay valid (they see refused connections in between).
      const { port } = ctx.stack.info;
      ctx.stack.signalGroup('SIGINT');
      const code = await ctx.stack.exited;
      if (code !== 0) throw new Error(`the stack exited with ${code} on SIGINT`);
      ctx.stack = await spawnStack(['--data-dir', ctx.dataDir], { port });
    },
  },
  {
    name: 'stream-throttle',
    args: ['--inject-stream-throttle', String(THROTTLE_RATE)],
    // The flag starts the throttle on; SIGUSR2 flips it (infra/local/main.ts).
    prepare: (ctx) => ctx.stack.signal('SIGUSR2'),
    async inject(ctx) {
      ctx.stack.signal('SIGUSR2');
      try {
        await sleep(ctx.faultMs);
      } finally {
        ctx.stack.signal('SIGUSR2');
      }
    },
  },
  {
    name: 'parallelism-4',
    args: ['--stream-parallelism', '4'],
    // Four lanes per shard for the whole phase: batches of different instances interleave.
    inject: (ctx) => sleep(ctx.faultMs),
  },
];
