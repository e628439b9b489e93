import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { InstanceReader } from '../../shared/repo/instance-reader.ts';
import { getInstance } from '../../shared/routes/get-instance.ts';
import { http } from '../../shared/http/route.ts';
import { instanceResponse, noneMatchHits, notModified } from '../../shared/http/responses.ts';

const client = createDocumentClient();
const repo = new InstanceReader(client, tableNamesFromEnv('instances'));

/** GET /api/instances/{id} with ETag; If-None-Match on the current version gives 304. */
export const handler = http(getInstance, async (req) => {
  const instance = await repo.getOrThrow(req.params.id);
  if (noneMatchHits(req.header('if-none-match'), instance.version))
    return notModified(instance.version);
  return instanceResponse(instance);
});
