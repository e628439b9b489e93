import { S3Client } from '@aws-sdk/client-s3';

/**
 * One S3 client per execution environment. The endpoint comes from the SDK's own
 * `AWS_ENDPOINT_URL_S3` variable; `S3_FORCE_PATH_STYLE=true` is for S3-compatible servers
 * (the local stack's) that do not serve virtual-hosted bucket names.
 */
export function createS3Client(): S3Client {
  return new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
}
