/** Lambda on the instances stream: writes the history table and the stats counters. */
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { HistoryWriter } from '../../shared/repo/history-writer.ts';
import { createHistoryHandler } from '../../shared/stream/history-processor.ts';

export const handler = createHistoryHandler(
  new HistoryWriter(createDocumentClient(), tableNamesFromEnv('history', 'meta')),
);
