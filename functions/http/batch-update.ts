import { batchUpdate } from '../../shared/routes/batch-update.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';
import { changeMeta } from '../lib/deps.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { BatchUpdateService } from '../../shared/repo/batch-update.ts';
import { batchDeps } from '../lib/batch.ts';

const { batch, idempotency } = batchDeps(InstanceRepository, BatchUpdateService);

/** POST /api/instances/batch-update {"updates":[{id,data,version?}]}; `?atomic=true` is all-or-nothing. */
export const handler = http(
  batchUpdate,
  async (req) => {
    const meta = changeMeta(req);
    const result = req.query.atomic
      ? await batch.updateAtomic(req.body.updates, meta)
      : await batch.updateEach(req.body.updates, meta);
    return ok(result);
  },
  { idempotency },
);
