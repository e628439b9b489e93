/** Composition root of the operation handlers (clients once per execution environment). */
import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { requireEnv } from '../../shared/aws/env.ts';
import { createS3Client } from '../../shared/aws/s3.ts';
import { buckets } from '../../shared/config/buckets.ts';
import { OperationRepository } from '../../shared/ops/repository.ts';
import { ExportBucket } from '../../shared/ops/export-file.ts';

/** Readers of operations: the table and the exports bucket (to presign download URLs). */
export function operationReadDeps() {
  const client = createDocumentClient();
  const ops = new OperationRepository(client, tableNamesFromEnv('operations'));
  const bucket = new ExportBucket(createS3Client(), requireEnv(buckets.exports.envVar));
  return { client, ops, bucket };
}
