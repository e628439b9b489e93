import { pathOf } from '../../shared/routes/define.ts';
import { routeKey } from '../../shared/routes/table.ts';
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { InstanceReader } from '../../shared/repo/instance-reader.ts';
import { InstanceLister } from '../../shared/repo/listing.ts';
import { IdempotencyStore } from '../../shared/repo/idempotency.ts';
import { OperationRepository } from '../../shared/ops/repository.ts';
import { OperationService } from '../../shared/ops/service.ts';
import { validateOperation } from '../../shared/ops/schemas.ts';
import { createOperation } from '../../shared/routes/create-operation.ts';
import { toView } from '../../shared/ops/model.ts';
import { http } from '../../shared/http/route.ts';
import { json } from '../../shared/http/middleware.ts';
import { changeMeta } from '../lib/deps.ts';

const client = createDocumentClient();
const tables = tableNamesFromEnv('operations', 'instances', 'meta');
const lister = new InstanceLister(
  client,
  tables.instances,
  new InstanceReader(client, { instances: tables.instances }),
);
const service = new OperationService(new OperationRepository(client, tables), lister);
const idempotency = new IdempotencyStore(client, tables.meta);

/**
 * POST /api/operations: validates, resolves the targets (ids, or a list filter walked page by
 * page, ≤ 10,000), stores the operation and answers 202 at once; the worker does the work.
 */
export const handler = http(
  createOperation,
  async (req) => {
    const { actor, reason } = changeMeta(req);
    const op = await service.create(validateOperation(req.body), actor, reason);
    return json(202, toView(op), {
      location: pathOf(routeKey('getOperation'), { operation_id: op.operation_id }),
    });
  },
  { idempotency },
);
