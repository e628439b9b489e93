import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { InstanceByNameReader } from '../../shared/repo/instance-by-name.ts';
import { getInstanceByName } from '../../shared/routes/get-instance-by-name.ts';
import { http } from '../../shared/http/route.ts';
import { instanceResponse, noneMatchHits, notModified } from '../../shared/http/responses.ts';

const client = createDocumentClient();
const repo = new InstanceByNameReader(client, tableNamesFromEnv('instances', 'meta'));

/** GET /api/instances/by-name/{name}: one key read through the name claim, then the instance. */
export const handler = http(getInstanceByName, async (req) => {
  const instance = await repo.getByNameOrThrow(req.params.name);
  if (noneMatchHits(req.header('if-none-match'), instance.version))
    return notModified(instance.version);
  return instanceResponse(instance);
});
