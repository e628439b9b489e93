/**
 * Composition root for the instance handlers: clients and repositories are created once per
 * execution environment (module scope of the importing handler), from the environment the
 * CDK stack (or the local runtime) sets. A missing variable fails the cold start.
 */
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { IdempotencyStore } from '../../shared/repo/idempotency.ts';
import type { ChangeMeta } from '../../shared/repo/items.ts';
import { CHANGE_REASON_HEADER, parseChangeReason } from '../../shared/domain/change-reason.ts';

export function instanceDeps() {
  const client = createDocumentClient();
  const tables = tableNamesFromEnv('instances', 'meta');
  return {
    client,
    tables,
    repo: new InstanceRepository(client, tables),
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
