/**
 * Starts the real local stack (`infra/local/main.ts --in-memory`, the `npm start` entry point)
 * on a free port for the whole test run and stops it, Java included, afterwards; the console
 * build it serves is brought up to date with its sources first (./console-build.ts).
 */
import type { TestProject } from 'vitest/node';
import { ensureConsoleBuild } from './console-build.ts';
import { spawnStack, type SpawnedStack, type StackInfo } from './spawn-stack.ts';

export type { StackInfo };

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

let stack: SpawnedStack | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (ensureConsoleBuild()) console.log('[global setup] rebuilt web/dist: its sources had changed');
  stack = await spawnStack(['--in-memory']);
  project.provide('stack', stack.info);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}
