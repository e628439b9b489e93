import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { HistoryReader } from '../../shared/repo/history-reader.ts';
import { getHistoryRecord } from '../../shared/routes/get-history-record.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const reader = new HistoryReader(createDocumentClient(), tableNamesFromEnv('history'));

/** GET /api/history/{history_id} → one record. */
export const handler = http(getHistoryRecord, async (req) =>
  ok(await reader.getOrThrow(req.params.history_id)),
);
