/**
 * The running stack's coordinates, written into its state folder at start, so a second
 * process (`npm run redrive`) can run the same handler modules against the same tables.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StackState {
  /** The environment the stack gives its handlers. */
  env: Record<string, string>;
  dynamodb: string;
  /**
   * Leader of DynamoDB Local's own process group (a small `sh` wrapping Java): signal the
   * group, `kill(-dynamodbPid, 'SIGSTOP')`, to stall the database for fault injection.
   */
  dynamodbPid?: number;
  /** Stream ARN by source table. */
  streams: Partial<Record<string, string>>;
}

const file = (stateDir: string) => join(stateDir, 'stack.json');

export function writeStackState(stateDir: string, state: StackState): void {
  writeFileSync(file(stateDir), JSON.stringify(state, null, 2));
}

export function readStackState(stateDir: string): StackState {
  try {
    return JSON.parse(readFileSync(file(stateDir), 'utf8')) as StackState;
  } catch {
    throw new Error(
      `No running stack found in ${stateDir} (no stack.json). Start it with npm start (same --data-dir) first.`,
    );
  }
}
