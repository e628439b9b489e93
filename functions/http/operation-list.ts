import { tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { listOperations } from '../../shared/routes/list-operations.ts';
import { toView } from '../../shared/ops/model.ts';
import { exportResult } from '../../shared/ops/export-file.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';
import { OperationLister } from '../../shared/ops/lister.ts';
import { operationReadDeps } from '../lib/operations.ts';

const { client, bucket } = operationReadDeps();
const ops = new OperationLister(client, tableNamesFromEnv('operations'));

/** GET /api/operations: recent operations, newest first (`status`, `type` filters; cursor). */
export const handler = http(listOperations, async (req) => {
  const page = await ops.list(req.query);
  const items = await Promise.all(
    page.items.map(async (op) => toView(op, await exportResult(bucket, op.result))),
  );
  return ok({ items, count: items.length, limit: req.query.limit, next_cursor: page.next_cursor });
});
