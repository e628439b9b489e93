/**
 * Starts the real local stack (`infra/local/main.ts --in-memory`, the `npm start` entry point)
 * on a free port for the whole test run and stops it, Java included, afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestProject } from 'vitest/node';

export interface StackInfo {
  url: string;
  ws: string;
  port: number;
  dynamodb: string;
  tables: { instances: string; history: string; meta: string; connections: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

let child: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--in-memory'], {
    env: {
      ...process.env,
      PORT: '0',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'CRITICAL',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const info = await new Promise<StackInfo>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`local stack did not start:\n${output}`)),
      60_000,
    );
    child!.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const line = output.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(6)) as StackInfo);
      }
    });
    child!.stderr!.on('data', (d: Buffer) => {
      output += d.toString();
      if (process.env.STACK_LOGS) process.stderr.write(d);
    });
    child!.once('exit', (code) => reject(new Error(`local stack exited (${code}):\n${output}`)));
  });
  project.provide('stack', info);
}

export async function teardown(): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
