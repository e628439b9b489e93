import { pathOf } from '../../shared/routes/define.ts';
import { routeKey } from '../../shared/routes/table.ts';
import { copyInstance } from '../../shared/repo/copy.ts';
import { copyInstance as copyInstanceRoute } from '../../shared/routes/copy-instance.ts';
import { http } from '../../shared/http/route.ts';
import { instanceResponse } from '../../shared/http/responses.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { changeMeta, instanceDeps } from '../lib/deps.ts';

const { repo, idempotency } = instanceDeps(InstanceRepository);

/**
 * POST /api/instances/{id}/copy → 201: a new instance with the source's configuration, the
 * given or first free `<name>-copy[-N]` name and `overrides` applied; its history records
 * `copied_from`.
 */
export const handler = http(
  copyInstanceRoute,
  async (req) => {
    const instance = await copyInstance(repo, req.params.id, req.body, changeMeta(req));
    return instanceResponse(instance, 201, {
      location: pathOf(routeKey('getInstance'), { id: instance.id }),
    });
  },
  { idempotency },
);
