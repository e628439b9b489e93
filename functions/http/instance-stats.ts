import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { statsView } from '../../shared/domain/history.ts';
import { STATS_KEY } from '../../shared/repo/history-writer.ts';
import { instanceStats } from '../../shared/routes/instance-stats.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const client = createDocumentClient();
const { meta } = tableNamesFromEnv('meta');

/**
 * GET /api/instances/stats: counts by status, priority, cluster and model, and the total.
 * One GetItem of the counters the stream consumer keeps (O(1), eventually consistent).
 */
export const handler = http(instanceStats, async () => {
  const res = await client.send(new GetCommand({ TableName: meta, Key: { pk: STATS_KEY } }));
  return ok(statsView(res.Item));
});
