import { BatchService } from '../../shared/repo/batch.ts';
import { logger } from '../../shared/log.ts';
import { instanceDeps } from './deps.ts';

/** Batch handlers' composition root. */
export function batchDeps() {
  const deps = instanceDeps();
  const batch = new BatchService(deps.client, deps.tables.instances, deps.repo, (error) =>
    logger.error('batch item failed unexpectedly', { error }),
  );
  return { ...deps, batch };
}
