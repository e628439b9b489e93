/**
 * Runs the real `npm start` entry point (`infra/local/main.ts`) as a child process on a free
 * port and resolves with what its READY line says; `stop()` sends SIGTERM like Ctrl-C. Used by
 * the tests (test/support/spawn-stack.ts re-exports it) and by `npm run soak`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, 'main.ts');

export interface StackInfo {
  url: string;
  ws: string;
  port: number;
  dynamodb: string;
  tables: { instances: string; history: string; meta: string; connections: string } & Record<
    string,
    string
  >;
  /** Folder of the stream consumers' state (in-memory runs: the run's scratch folder). */
  state: string;
}

export interface SpawnedStack {
  info: StackInfo;
  output(): string;
  stop(): Promise<number | null>;
  /** Sends a signal to the stack's whole process group, as Ctrl-C in a terminal does. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Sends a signal to the stack's main process only (e.g. SIGUSR2, see main.ts). */
  signal(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  /** Default 0 (any free port); a restart passes the port it had so clients keep their URL. */
  port?: number;
}

export async function spawnStack(
  args: string[] = ['--in-memory'],
  opts: SpawnOptions = {},
): Promise<SpawnedStack> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: {
      ...process.env,
      PORT: String(opts.port ?? 0),
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'CRITICAL',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, like a command started from a shell prompt.
    detached: true,
  });
  let output = '';
  const info = await new Promise<StackInfo>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`local stack did not start:\n${output}`)),
      90_000,
    );
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const line = output.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(6)) as StackInfo);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
      if (process.env.STACK_LOGS) process.stderr.write(d);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited (${code}):\n${output}`));
    });
  });
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code, signal) => {
      // A signal's death leaves no exit code: say which one, for whoever reads output().
      if (signal) output += `\n[the stack was ended by ${signal}]\n`;
      r(code);
    }),
  );
  return {
    info,
    exited,
    signalGroup: (signal) => process.kill(-child.pid!, signal),
    signal: (signal) => child.kill(signal),
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
