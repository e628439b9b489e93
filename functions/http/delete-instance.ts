import { deleteInstance } from '../../shared/routes/delete-instance.ts';
import { http } from '../../shared/http/route.ts';
import { expectedVersion, ok } from '../../shared/http/responses.ts';
import { InstanceWriter } from '../../shared/repo/instance-writer.ts';
import { changeMeta, instanceDeps } from '../lib/deps.ts';

const { repo, idempotency } = instanceDeps(InstanceWriter);

/** DELETE /api/instances/{id}: frees the name; history stays. If-Match honoured. */
export const handler = http(
  deleteInstance,
  async (req) => {
    const { id } = req.params;
    await repo.delete(
      id,
      changeMeta(req),
      await expectedVersion(req.header('if-match'), () => repo.getItem(id)),
    );
    return ok({ message: 'Instance deleted successfully', id });
  },
  { idempotency },
);
