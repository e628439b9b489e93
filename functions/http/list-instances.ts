import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { InstanceReader } from '../../shared/repo/instance-reader.ts';
import { InstanceLister } from '../../shared/repo/listing.ts';
import { listInstances } from '../../shared/routes/list-instances.ts';
import { http } from '../../shared/http/route.ts';
import { ok } from '../../shared/http/responses.ts';

const client = createDocumentClient();
const { instances, meta } = tableNamesFromEnv('instances', 'meta');
const lister = new InstanceLister(
  client,
  instances,
  new InstanceReader(client, { instances }),
  meta,
);

/**
 * GET /api/instances: filtered, sorted, cursor-paged (see shared/repo/listing.ts); `total`
 * only when the stats tell it in one read (InstanceLister.total).
 */
export const handler = http(listInstances, async (req) => {
  const [page, total] = await Promise.all([lister.list(req.query), lister.total(req.query)]);
  return ok({
    items: page.items,
    count: page.items.length,
    ...(total !== undefined ? { total } : {}),
    limit: req.query.limit,
    next_cursor: page.next_cursor,
  });
});
