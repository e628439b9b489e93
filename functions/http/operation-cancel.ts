import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { OperationRepository } from '../../shared/ops/repository.ts';
import { cancelOperation } from '../../shared/routes/cancel-operation.ts';
import { toView } from '../../shared/ops/model.ts';
import { http } from '../../shared/http/route.ts';
import { json } from '../../shared/http/middleware.ts';

const ops = new OperationRepository(createDocumentClient(), tableNamesFromEnv('operations'));

/**
 * DELETE /api/operations/{operation_id}: asks the operation to stop before its next chunk and
 * answers 202 (it becomes `cancelled` when the worker gets there); 200 if it already is;
 * 409 once it finished otherwise.
 */
export const handler = http(cancelOperation, async (req) => {
  const op = await ops.requestCancel(req.params.operation_id, req.principal.sub, new Date());
  return json(op.status === 'cancelled' ? 200 : 202, toView(op));
});
