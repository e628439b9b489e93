/** Composition root of the WebSocket functions. */
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { requireEnv } from '../../shared/aws/env.ts';
import { WS_ENDPOINT_ENV } from '../../shared/config/ws-routes.ts';
import { ConnectionRepository } from '../../shared/ws/connections.ts';
import { Publisher, createManagementClient } from '../../shared/ws/publisher.ts';

export function wsDeps() {
  const client = createDocumentClient();
  const { connections: table } = tableNamesFromEnv('connections');
  const connections = new ConnectionRepository(client, table);
  const publisher = new Publisher(createManagementClient(requireEnv(WS_ENDPOINT_ENV)), connections);
  return { client, connections, publisher };
}
