import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { instanceNamePathSchema } from '../../shared/domain/query.ts';
import { http } from '../../shared/http/route.ts';
import { instanceResponse, noneMatchHits, notModified } from '../../shared/http/responses.ts';

const client = createDocumentClient();
const repo = new InstanceRepository(client, tableNamesFromEnv('instances', 'meta'));

/** GET /api/instances/by-name/{name}: one key read through the name claim, then the instance. */
export const handler = http({ params: instanceNamePathSchema }, async (req) => {
  const instance = await repo.getByNameOrThrow(req.params.name);
  if (noneMatchHits(req.header('if-none-match'), instance.version))
    return notModified(instance.version);
  return instanceResponse(instance);
});
