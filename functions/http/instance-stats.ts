import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { StatsRepository } from '../../shared/repo/stats.ts';
import { instanceStats } from '../../shared/routes/instance-stats.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const { meta } = tableNamesFromEnv('meta');
const stats = new StatsRepository(createDocumentClient(), meta);

/**
 * GET /api/instances/stats: counts by status, priority, cluster and model, and the total.
 * One BatchGetItem of the sharded counters the stream consumer keeps (constant cost,
 * eventually consistent).
 */
export const handler = http(instanceStats, async () => ok(await stats.read()));
