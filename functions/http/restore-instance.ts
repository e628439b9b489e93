import { restoreTarget } from '../../shared/domain/restore-target.ts';
import { restoreInstance } from '../../shared/routes/restore-instance.ts';
import { HistoryReader } from '../../shared/repo/history-reader.ts';
import { http } from '../../shared/http/route.ts';
import { expectedVersion, instanceResponse } from '../../shared/http/responses.ts';
import { tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { changeMeta, instanceDeps } from '../lib/deps.ts';

const { client, repo, idempotency } = instanceDeps(InstanceRepository);
const reader = new HistoryReader(client, tableNamesFromEnv('history'));

/**
 * POST /api/instances/{id}/restore/{history_id}: the instance set back to that record's
 * snapshot as a new version (history `restore` with `restored_from`); a deleted instance is
 * re-created under its id. If-Match honoured; a record of another instance is a 404.
 */
export const handler = http(
  restoreInstance,
  async (req) => {
    const { id, history_id } = req.params;
    // A malformed If-Match is a 400 whatever the record; read it first.
    const expected = await expectedVersion(req.header('if-match'), () => repo.getItem(id));
    const record = await reader.getForInstance(id, history_id);
    const instance = await repo.restore(
      id,
      restoreTarget(record.snapshot as Record<string, unknown>),
      { ...changeMeta(req), restoredFrom: history_id },
      expected,
    );
    return instanceResponse(instance);
  },
  { idempotency },
);
