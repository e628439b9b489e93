/** Lambda on the operations stream: runs operations chunk by chunk (shared/ops/worker.ts). */
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { requireEnv } from '../../shared/aws/env.ts';
import { createS3Client } from '../../shared/aws/s3.ts';
import { buckets } from '../../shared/config/buckets.ts';
import { InstanceWriter } from '../../shared/repo/instance-writer.ts';
import { OperationRepository } from '../../shared/ops/repository.ts';
import { BulkExecutor } from '../../shared/ops/bulk.ts';
import { HistoryExportSource } from '../../shared/ops/export-source.ts';
import { ExportBucket, exportResult } from '../../shared/ops/export-file.ts';
import { OperationRunner } from '../../shared/ops/runner.ts';
import { announcer, createOperationWorker } from '../../shared/ops/worker.ts';
import { createLogger } from '../../shared/log.ts';
import { wsDeps } from '../lib/ws-deps.ts';

const client = createDocumentClient();
const tables = tableNamesFromEnv('operations', 'instances', 'meta', 'history');
const ops = new OperationRepository(client, tables);
const bucket = new ExportBucket(createS3Client(), requireEnv(buckets.exports.envVar));
const { connections, publisher } = wsDeps();
const logger = createLogger('OperationWorker');

const runner = new OperationRunner({
  ops,
  bulk: new BulkExecutor(client, new InstanceWriter(client, tables), tables.history, {
    onUnexpected: (error, id) => logger.error('operation item failed unexpectedly', { error, id }),
  }),
  source: new HistoryExportSource(client, tables.history, (id, n) => ops.chunk(id, n)),
  bucket,
});

export const handler = createOperationWorker(
  runner,
  announcer({
    subscribers: (topic) => connections.subscribers(topic),
    fanout: (ids, data) => publisher.fanout(ids, data),
    result: (op) => exportResult(bucket, op.result),
  }),
);
