import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { health } from '../../shared/routes/health.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';
import { AppError } from '../../shared/domain/errors.ts';

const client = createDocumentClient();
const { meta } = tableNamesFromEnv('meta');

/** GET /api/health: 200 when the table answers a read, 503 when it does not. */
export const handler = http(health, async () => {
  const started = Date.now();
  try {
    await client.send(new GetCommand({ TableName: meta, Key: { pk: 'HEALTH' } }));
  } catch {
    throw new AppError(503, 'ServiceUnavailable', 'The table is not reachable', undefined, {
      'retry-after': '5',
    });
  }
  return ok({
    status: 'ok',
    table: 'reachable',
    latency_ms: Date.now() - started,
    time: new Date().toISOString(),
  });
});
