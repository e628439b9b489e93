import { getOperation } from '../../shared/routes/get-operation.ts';
import { toView } from '../../shared/ops/model.ts';
import { exportResult } from '../../shared/ops/export-file.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';
import { operationReadDeps } from '../lib/operations.ts';

const { ops, bucket } = operationReadDeps();

/** GET /api/operations/{operation_id}: the state; a finished export gets a fresh download URL. */
export const handler = http(getOperation, async (req) => {
  const op = await ops.getOrThrow(req.params.operation_id);
  return ok(toView(op, await exportResult(bucket, op.result)), { 'cache-control': 'no-store' });
});
