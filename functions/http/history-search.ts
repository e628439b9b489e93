import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { HistorySearchReader } from '../../shared/repo/history-search.ts';
import { searchHistory } from '../../shared/routes/search-history.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const reader = new HistorySearchReader(createDocumentClient(), tableNamesFromEnv('history'));

/** GET /api/history/search: across instances, newest first; a time range reads only that range. */
export const handler = http(searchHistory, async (req) => ok(await reader.search(req.query)));
