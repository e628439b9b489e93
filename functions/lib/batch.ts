import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BatchService } from '../../shared/repo/batch.ts';
import type { InstanceWriter } from '../../shared/repo/instance-writer.ts';
import { logger } from '../../shared/log.ts';
import { instanceDeps } from './deps.ts';

/**
 * Batch handlers' composition root: the handler names its repository (see `instanceDeps`) and
 * service (BatchService deletes, BatchUpdateService also updates).
 */
export function batchDeps<R extends InstanceWriter, S extends BatchService<R>>(
  Repo: Parameters<typeof instanceDeps<R>>[0],
  Service: new (
    client: DynamoDBDocumentClient,
    instancesTable: string,
    repo: R,
    onUnexpected: (err: unknown) => void,
  ) => S,
) {
  const deps = instanceDeps(Repo);
  const batch = new Service(deps.client, deps.tables.instances, deps.repo, (error) =>
    logger.error('batch item failed unexpectedly', { error }),
  );
  return { ...deps, batch };
}
