import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { comparePathSchema } from '../../shared/domain/history-query.ts';
import { HistoryReader } from '../../shared/repo/history-reader.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const reader = new HistoryReader(createDocumentClient(), tableNamesFromEnv('history'));

/** GET /api/history/compare/{id1}/{id2}: snapshots field by field, envs key by key. */
export const handler = http({ params: comparePathSchema }, async (req) =>
  ok(await reader.compare(req.params.id1, req.params.id2)),
);
