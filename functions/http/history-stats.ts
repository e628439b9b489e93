import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { HistoryStatsReader } from '../../shared/repo/history-stats.ts';
import { historyStats } from '../../shared/routes/history-stats.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const reader = new HistoryStatsReader(
  createDocumentClient(),
  tableNamesFromEnv('history', 'instances'),
);

/** GET /api/instances/{id}/history/stats?time_range=24h|7d|30d|all (default all). */
export const handler = http(historyStats, async (req) =>
  ok(await reader.stats(req.params.id, req.query.time_range)),
);
