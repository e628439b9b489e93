/**
 * Starts the real local stack (`infra/local/main.ts --in-memory`, the `npm start` entry point)
 * on a free port for the whole test run and stops it, Java included, afterwards.
 */
import type { TestProject } from 'vitest/node';
import { spawnStack, type SpawnedStack, type StackInfo } from './spawn-stack.ts';

export type { StackInfo };

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

let stack: SpawnedStack | undefined;

export async function setup(project: TestProject): Promise<void> {
  stack = await spawnStack(['--in-memory']);
  project.provide('stack', stack.info);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}
