import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { HistoryListReader } from '../../shared/repo/history-list.ts';
import { listHistory } from '../../shared/routes/list-history.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const reader = new HistoryListReader(
  createDocumentClient(),
  tableNamesFromEnv('history', 'instances'),
);

/** GET /api/instances/{id}/history: filtered, paged, with `total`; deleted instances too. */
export const handler = http(listHistory, async (req) =>
  ok(await reader.list(req.params.id, req.query)),
);
