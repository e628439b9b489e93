import { pathOf } from '../../shared/routes/define.ts';
import { routeKey } from '../../shared/routes/table.ts';
import { createInstance } from '../../shared/routes/create-instance.ts';
import { http } from '../../shared/http/route.ts';
import { instanceResponse } from '../../shared/http/responses.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { changeMeta, instanceDeps } from '../lib/deps.ts';

const { repo, idempotency } = instanceDeps(InstanceRepository);

/** POST /api/instances → 201 with Location and ETag; duplicate name (any case) → 409. */
export const handler = http(
  createInstance,
  async (req) => {
    const instance = await repo.create(req.body, changeMeta(req));
    return instanceResponse(instance, 201, {
      location: pathOf(routeKey('getInstance'), { id: instance.id }),
    });
  },
  { idempotency },
);
