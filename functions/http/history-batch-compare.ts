import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { HistoryReader } from '../../shared/repo/history-reader.ts';
import { batchCompare } from '../../shared/domain/history-batch-compare.ts';
import { batchCompareHistory } from '../../shared/routes/batch-compare-history.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const reader = new HistoryReader(createDocumentClient(), tableNamesFromEnv('history'));

/** POST /api/history/batch-compare {"record_ids":[…]} (2–20): a read, so no idempotency. */
export const handler = http(batchCompareHistory, async (req) =>
  ok(batchCompare(await reader.getMany(req.body.record_ids))),
);
