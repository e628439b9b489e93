import { patchInstance, putInstance } from '../../shared/routes/update-instance.ts';
import { http } from '../../shared/http/route.ts';
import { expectedVersion, instanceResponse } from '../../shared/http/responses.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { changeMeta, instanceDeps } from '../lib/deps.ts';

const { repo, idempotency } = instanceDeps(InstanceRepository);

/**
 * PUT and PATCH /api/instances/{id}: partial update, If-Match honoured (412). A request that
 * changes nothing returns the instance as it is: no new version, no history.
 */
export const handler = http(
  [putInstance, patchInstance],
  async (req) => {
    const { instance } = await repo.update(
      req.params.id,
      req.body,
      changeMeta(req),
      await expectedVersion(req.header('if-match'), () => repo.getItem(req.params.id)),
    );
    return instanceResponse(instance);
  },
  { idempotency },
);
