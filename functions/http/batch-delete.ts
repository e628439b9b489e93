import { batchDelete } from '../../shared/routes/batch-delete.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';
import { changeMeta } from '../lib/deps.ts';
import { InstanceWriter } from '../../shared/repo/instance-writer.ts';
import { BatchService } from '../../shared/repo/batch.ts';
import { batchDeps } from '../lib/batch.ts';

const { batch, idempotency } = batchDeps(InstanceWriter, BatchService);

/** POST /api/instances/batch-delete {"ids":[…]}; `?atomic=true` is all-or-nothing. */
export const handler = http(
  batchDelete,
  async (req) => {
    const meta = changeMeta(req);
    const result = req.query.atomic
      ? await batch.deleteAtomic(req.body.ids, meta)
      : await batch.deleteEach(req.body.ids, meta);
    return ok(result);
  },
  { idempotency },
);
