/** The history consumer as functions/stream/history-writer.ts composes it, on given tables. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../../shared/aws/dynamo.ts';
import { HistoryWriter } from '../../shared/repo/history-writer.ts';
import { QuarantineRepository } from '../../shared/repo/quarantine.ts';
import { createHistoryHandler, HISTORY_CONSUMER } from '../../shared/stream/history-processor.ts';
import { createLogger } from '../../shared/log.ts';

export function historyHandler(
  client: DynamoDBDocumentClient,
  tables: Pick<TableNames, 'history' | 'meta'>,
  /** Client for the quarantine, when `client` injects faults. */
  quarantineClient: DynamoDBDocumentClient = client,
) {
  return createHistoryHandler(
    new HistoryWriter(client, tables),
    new QuarantineRepository(quarantineClient, tables),
    createLogger(HISTORY_CONSUMER),
  );
}
