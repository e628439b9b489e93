import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { InstanceLister } from '../../shared/repo/listing.ts';
import { listInstancesQuerySchema } from '../../shared/domain/query.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const client = createDocumentClient();
const { instances } = tableNamesFromEnv('instances');
const lister = new InstanceLister(client, instances, new InstanceRepository(client, { instances }));

/** GET /api/instances: filtered, sorted, cursor-paged (see shared/repo/listing.ts). */
export const handler = http({ query: listInstancesQuerySchema }, async (req) => {
  const page = await lister.list(req.query);
  return ok({
    items: page.items,
    count: page.items.length,
    limit: req.query.limit,
    next_cursor: page.next_cursor,
  });
});
