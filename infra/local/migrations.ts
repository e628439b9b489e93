/**
 * The local stand-in for the deployed stack's migration triggers: each declared migration's
 * handler module, invoked once, in order, with the Lambda environment already in process.env.
 * A failure stops the start, as a failed trigger fails the deploy.
 */
import { randomUUID } from 'node:crypto';
import { migrations } from '../../shared/config/migrations.ts';
import { loadHandler } from './handlers.ts';
import { lambdaContext } from './lambda-context.ts';

/** The deployed function's timeout (infra/constructs/handler-function.ts). */
const MIGRATION_TIMEOUT_MS = 15 * 60_000;

export async function runMigrations(): Promise<void> {
  for (const def of migrations) {
    const handler = await loadHandler<Record<string, never>, unknown>(def.handler);
    await handler({}, lambdaContext(def.handler, randomUUID(), MIGRATION_TIMEOUT_MS));
  }
}
