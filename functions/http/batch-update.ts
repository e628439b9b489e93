import { batchQuerySchema, batchUpdateSchema } from '../../shared/repo/batch.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';
import { changeMeta } from '../lib/deps.ts';
import { batchDeps } from '../lib/batch.ts';

const { batch, idempotency } = batchDeps();

/** POST /api/instances/batch-update {"updates":[{id,data,version?}]}; `?atomic=true` is all-or-nothing. */
export const handler = http(
  { body: batchUpdateSchema, query: batchQuerySchema, idempotency },
  async (req) => {
    const meta = changeMeta(req);
    const result = req.query.atomic
      ? await batch.updateAtomic(req.body.updates, meta)
      : await batch.updateEach(req.body.updates, meta);
    return ok(result);
  },
);
