import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { buckets, type BucketName } from '../../shared/config/buckets.ts';

/**
 * The S3 buckets of shared/config/buckets.ts: encrypted, public access blocked, TLS only,
 * objects expiring per the declared lifecycle, server access logs to one log bucket.
 */
export class DataBuckets extends Construct {
  readonly byName: Readonly<Record<BucketName, s3.Bucket>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Grant log delivery through the log bucket's policy, not an ACL (ACLs are disabled by
    // BUCKET_OWNER_ENFORCED); the flag is the CDK switch for that and is scoped to these buckets.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Log delivery is granted by bucket policy (no ACLs), which ENFORCED ownership requires.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const byName = {} as Record<BucketName, s3.Bucket>;
    for (const [name, def] of Object.entries(buckets) as [
      BucketName,
      (typeof buckets)[BucketName],
    ][]) {
      byName[name] = new s3.Bucket(this, def.id, {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `${def.id}/`,
        lifecycleRules: [
          {
            expiration: Duration.days(def.expireAfterDays),
            abortIncompleteMultipartUploadAfter: Duration.days(def.abortIncompleteUploadsAfterDays),
          },
        ],
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.byName = byName;
  }
}
