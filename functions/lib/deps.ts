/**
 * Composition root for the instance handlers: clients and repositories are created once per
 * execution environment (module scope of the importing handler), from the environment the
 * CDK stack (or the local runtime) sets. A missing variable fails the cold start.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createDocumentClient,
  tableNamesFromEnv,
  type TableNames,
} from '../../shared/aws/dynamo.ts';
import type { InstanceWriter } from '../../shared/repo/instance-writer.ts';
import { IdempotencyStore } from '../../shared/repo/idempotency.ts';
import type { ChangeMeta } from '../../shared/repo/items.ts';
import { CHANGE_REASON_HEADER, parseChangeReason } from '../../shared/domain/change-reason.ts';

/**
 * `Repo` is InstanceRepository for handlers that create or rename, InstanceWriter for those
 * that only change or delete (they then bundle no look-alike table): the handler names it.
 */
export function instanceDeps<R extends InstanceWriter>(
  Repo: new (client: DynamoDBDocumentClient, tables: Pick<TableNames, 'instances' | 'meta'>) => R,
) {
  const client = createDocumentClient();
  const tables = tableNamesFromEnv('instances', 'meta');
  return {
    client,
    tables,
    repo: new Repo(client, tables),
    idempotency: new IdempotencyStore(client, tables.meta),
  };
}

/**
 * Change metadata for a request: the caller is the actor, the request id groups its records,
 * and `X-Change-Reason` says why.
 */
export const changeMeta = (req: {
  principal: { sub: string };
  requestId: string;
  header(name: string): string | undefined;
}): ChangeMeta => {
  const reason = parseChangeReason(req.header(CHANGE_REASON_HEADER));
  return { actor: req.principal.sub, opId: req.requestId, ...(reason ? { reason } : {}) };
};
