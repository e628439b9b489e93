import { restoreTarget } from '../../shared/domain/restore-target.ts';
import { diffSnapshots } from '../../shared/domain/diff.ts';
import { previewRestore } from '../../shared/routes/preview-restore.ts';
import { HistoryReader } from '../../shared/repo/history-reader.ts';
import { InstanceReader } from '../../shared/repo/instance-reader.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';

const client = createDocumentClient();
const repo = new InstanceReader(client, tableNamesFromEnv('instances'));
const reader = new HistoryReader(client, tableNamesFromEnv('history'));

/**
 * GET /api/instances/{id}/restore/{history_id}: the differences POST on the same path would
 * make, computed from the same restore target, so the preview and the restore cannot disagree.
 */
export const handler = http(previewRestore, async (req) => {
  const { id, history_id } = req.params;
  const record = await reader.getForInstance(id, history_id);
  const target = restoreTarget(record.snapshot as Record<string, unknown>);
  const current = await repo.get(id);
  // A live instance gets the patch (null clears a field); a deleted one is re-created.
  const restored = current
    ? Object.fromEntries(
        Object.entries({ ...current, ...target.patch }).filter(([, v]) => v !== null),
      )
    : target.recreate();
  return ok({
    instance_id: id,
    history_id,
    recreates: current === undefined,
    current_version: current?.version ?? null,
    differences: diffSnapshots(current ?? {}, restored, { expand: ['envs'] }),
  });
});
