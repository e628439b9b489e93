import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { historyIdPathSchema } from '../../shared/domain/history-query.ts';
import { HistoryReader } from '../../shared/repo/history-reader.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const reader = new HistoryReader(createDocumentClient(), tableNamesFromEnv('history'));

/** GET /api/history/{history_id} → one record. */
export const handler = http({ params: historyIdPathSchema }, async (req) =>
  ok(await reader.getOrThrow(req.params.history_id)),
);
