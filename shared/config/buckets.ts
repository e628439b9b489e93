/**
 * S3 buckets, declared once (like tables.ts). The CDK stack creates each one encrypted, with
 * public access blocked, TLS enforced and the lifecycle below; the local stack creates them in
 * its S3-compatible server (infra/local/s3-local.ts). Functions get the name through `envVar`.
 */
import type { Access } from './tables.ts';

export interface BucketDef {
  /** Logical id in CDK and the suffix of the local bucket name. */
  readonly id: string;
  /** Environment variable through which functions receive the bucket name. */
  readonly envVar: string;
  /** Objects expire this many days after they are written (lifecycle rule). */
  readonly expireAfterDays: number;
  /** Unfinished multipart uploads (a worker that died mid-export) are aborted after this. */
  readonly abortIncompleteUploadsAfterDays: number;
}

export const buckets = {
  /** Export operation results (SPEC §8): as long-lived as the operation records (7 days). */
  exports: {
    id: 'Exports',
    envVar: 'EXPORTS_BUCKET',
    expireAfterDays: 7,
    abortIncompleteUploadsAfterDays: 1,
  },
} as const satisfies Record<string, BucketDef>;

export type BucketName = keyof typeof buckets;
/** Grants a handler gets on buckets: `read` = GetObject (enough to presign a GET), `write` adds Put/multipart. */
export type BucketGrants = Partial<Record<BucketName, Access>>;
