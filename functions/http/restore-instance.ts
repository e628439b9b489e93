import { restoreTarget } from '../../shared/domain/restore-target.ts';
import { restoreInstance } from '../../shared/routes/restore-instance.ts';
import { HistoryReader } from '../../shared/repo/history-reader.ts';
import { http } from '../../shared/http/route.ts';
import { expectedVersion, instanceResponse, restoreState } from '../../shared/http/responses.ts';
import { tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { changeMeta, instanceDeps } from '../lib/deps.ts';

const { client, repo, idempotency } = instanceDeps(InstanceRepository);
const reader = new HistoryReader(client, tableNamesFromEnv('history'));

/**
 * POST /api/instances/{id}/restore/{history_id}: the instance set back to that record's
 * snapshot as a new version (history `restore` with `restored_from`); a deleted instance is
 * re-created under its id. If-Match honoured (a deleted instance matches none: If-None-Match: *
 * restores only while deleted); a record of another instance is a 404.
 */
export const handler = http(
  restoreInstance,
  async (req) => {
    const { id, history_id } = req.params;
    // Malformed preconditions are a 400 whatever the record; read them first.
    const ifMatch = req.header('if-match');
    const expected = await expectedVersion(ifMatch, () => repo.getItem(id));
    const state = restoreState(ifMatch, req.header('if-none-match'));
    const record = await reader.getForInstance(id, history_id);
    const instance = await repo.restore(
      id,
      restoreTarget(record.snapshot as Record<string, unknown>),
      { ...changeMeta(req), restoredFrom: history_id },
      expected,
      state,
    );
    return instanceResponse(instance);
  },
  { idempotency },
);
