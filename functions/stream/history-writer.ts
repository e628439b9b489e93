/** Lambda on the instances stream: writes the history table and the stats counters. */
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { HistoryWriter } from '../../shared/repo/history-writer.ts';
import { QuarantineRepository } from '../../shared/repo/quarantine.ts';
import { createHistoryHandler, HISTORY_CONSUMER } from '../../shared/stream/history-processor.ts';
import { createLogger } from '../../shared/log.ts';

const client = createDocumentClient();
const tables = tableNamesFromEnv('history', 'meta');

export const handler = createHistoryHandler(
  new HistoryWriter(client, tables),
  new QuarantineRepository(client, tables),
  createLogger(HISTORY_CONSUMER),
);
