import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { HistoryReader } from '../../shared/repo/history-reader.ts';
import { compareRecords } from '../../shared/domain/history-compare.ts';
import { compareHistory } from '../../shared/routes/compare-history.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const reader = new HistoryReader(createDocumentClient(), tableNamesFromEnv('history'));

/** GET /api/history/compare/{id1}/{id2}: snapshots field by field, envs key by key. */
export const handler = http(compareHistory, async (req) => {
  const [record1, record2] = await reader.getMany([req.params.id1, req.params.id2]);
  return ok(compareRecords(record1!, record2!));
});
