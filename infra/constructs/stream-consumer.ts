import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StreamConsumerDef } from '../../shared/config/streams.ts';
import type { BucketName } from '../../shared/config/buckets.ts';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { TableName } from '../../shared/config/tables.ts';
import { HandlerFunction } from './handler-function.ts';
import { acknowledge } from './nag.ts';

/**
 * The failure queue holds pointers (shard id, sequence range) to batches that exhausted their
 * retries, not the records; replaying them means reading the stream within its 24 h window,
 * so the queue keeps them as long as SQS allows and an alarm fires on the first one.
 */
const FAILURE_RETENTION = Duration.days(14);

export interface StreamConsumerProps {
  readonly def: StreamConsumerDef;
  readonly tables: Readonly<Record<TableName, ITable>>;
  readonly buckets: Readonly<Record<BucketName, IBucket>>;
}

/** One entry of `streamConsumers`: the function, its event source mapping, failure queue and alarm. */
export class StreamConsumer extends Construct {
  readonly fn: HandlerFunction;
  readonly failures: sqs.Queue;
  readonly failureAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, { def, tables, buckets }: StreamConsumerProps) {
    super(scope, id);
    this.fn = new HandlerFunction(this, 'Function', { handler: def.handler, kind: 'stream' });
    this.fn.bindTables(def.tables, tables);
    this.fn.bindBuckets(def.buckets, buckets);

    this.failures = new sqs.Queue(this, 'OnFailure', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: FAILURE_RETENTION,
    });
    const terminal =
      'This queue is itself the end of the line: it receives on-failure records from the stream event source mapping, nothing consumes it automatically, an alarm fires on the first message and an operator replays the named shard range.';
    acknowledge(this.failures, 'AwsSolutions-SQS3', terminal);
    acknowledge(this.failures, 'Serverless-SQSRedrivePolicy', terminal);

    this.fn.addEventSource(
      new DynamoEventSource(tables[def.sourceTable], {
        startingPosition: lambda.StartingPosition[def.startingPosition],
        batchSize: def.batchSize,
        maxBatchingWindow: Duration.seconds(def.maxBatchingWindowSeconds),
        // -1: retried until maxRecordAge (shared/config/streams.ts says why).
        retryAttempts: def.retryAttempts ?? -1,
        bisectBatchOnError: def.bisectBatchOnError,
        parallelizationFactor: def.parallelizationFactor,
        reportBatchItemFailures: def.reportBatchItemFailures,
        maxRecordAge: Duration.seconds(def.maxRecordAgeSeconds),
        onFailure: new SqsDlq(this.failures),
      }),
    );
    acknowledge(
      this.fn.role!,
      'AwsSolutions-IAM5[Resource::*]',
      'CDK grants dynamodb:ListStreams on * for the event source mapping: ListStreams supports no resource-level permissions; the stream read actions themselves are limited to this table stream ARN.',
    );

    // Every message is a batch of changes that never reached history: one is already an incident.
    this.failureAlarm = new cloudwatch.Alarm(this, 'FailuresAlarm', {
      alarmDescription: `${def.id}: stream batches failed for good; replay them within 24 h`,
      metric: this.failures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
