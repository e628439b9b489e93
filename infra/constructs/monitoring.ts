import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from './nag.ts';

/** Every alarm threshold in one place. */
export const ALARMS = {
  /** SPEC §4: no input may produce a 5xx, so one is already a defect. */
  http5xx: { threshold: 1, period: Duration.minutes(5) },
  /** 429s from the stage throttle or the app's own limits (counted from the access log). */
  httpThrottled: { threshold: 10, period: Duration.minutes(5) },
  /** Stream records older than this for five minutes in a row: a consumer is falling behind. */
  iteratorAge: { thresholdMs: 60_000, period: Duration.minutes(1), evaluationPeriods: 5 },
  /** An invocation that threw: HTTP handlers render errors, so this is a crash or a timeout. */
  lambdaErrors: { threshold: 1, period: Duration.minutes(5) },
} as const;

export interface MonitoringProps {
  /** Optional address subscribed to the alarm topic (confirm the e-mail after deploy). */
  readonly alarmEmail?: string;
}

export interface HttpApiAlarmsProps {
  readonly api: apigw.HttpApi;
  readonly accessLogs: logs.ILogGroup;
}

/**
 * Alarms and where they go. `notifyAll()` runs last and points every alarm in the stack (the
 * stream consumers' failure-queue alarms included) at one encrypted, TLS-only SNS topic.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  /** Custom metrics derived from logs live under the stack's own namespace. */
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.namespace = `InferenceInstances/${Stack.of(this).stackName}`;

    // The AWS managed SNS key cannot be used: CloudWatch must be allowed in the key policy.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the alarm topic',
      enableKeyRotation: true,
      // Alarm notifications are transient; nothing stays encrypted under this key for long.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Inference Instances alarms',
      masterKey: key,
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    if (props.alarmEmail) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      acknowledge(
        subscription,
        'Serverless-SNSRedrivePolicy',
        'An e-mail endpoint has no consumer that could drain a redrive queue; an undelivered alarm e-mail stays visible as the alarm state in CloudWatch and in the SNS delivery metrics.',
      );
    }
  }

  httpApiAlarms({ api, accessLogs }: HttpApiAlarmsProps): void {
    this.alarm('Http5xx', {
      alarmDescription: 'The HTTP API answered 5xx; SPEC §4 allows none',
      metric: api.metricServerError({
        period: ALARMS.http5xx.period,
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: ALARMS.http5xx.threshold,
    });
    // HTTP APIs publish no throttle metric (4xx mixes 429 with 401/404); the JSON access log
    // has the exact status, so a metric filter counts the 429s.
    const throttled = new logs.MetricFilter(this, 'HttpThrottledFilter', {
      logGroup: accessLogs,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: this.namespace,
      metricName: 'HttpThrottled',
      metricValue: '1',
    });
    this.alarm('HttpThrottled', {
      alarmDescription: 'Callers are being throttled (429) by the stage limits or the app',
      metric: throttled.metric({
        period: ALARMS.httpThrottled.period,
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: ALARMS.httpThrottled.threshold,
    });
  }

  /** `IteratorAge` of a stream consumer: how far behind the stream its last batch was. */
  iteratorAgeAlarm(name: string, fn: lambda.IFunction): void {
    this.alarm(`${name}IteratorAge`, {
      alarmDescription: `${name} is more than ${ALARMS.iteratorAge.thresholdMs / 1000} s behind its stream`,
      metric: fn.metric('IteratorAge', {
        period: ALARMS.iteratorAge.period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: ALARMS.iteratorAge.thresholdMs,
      evaluationPeriods: ALARMS.iteratorAge.evaluationPeriods,
    });
  }

  lambdaErrorAlarm(name: string, fn: lambda.IFunction): void {
    this.alarm(`${name}Errors`, {
      alarmDescription: `${name} threw (crash, timeout or out of memory)`,
      metric: fn.metricErrors({ period: ALARMS.lambdaErrors.period, statistic: 'Sum' }),
      threshold: ALARMS.lambdaErrors.threshold,
    });
  }

  /** Sends every alarm under `scope` (alarm and recovery) to the topic. Call once, last. */
  notifyAll(scope: IConstruct): void {
    const action = new SnsAction(this.topic);
    for (const node of scope.node.findAll()) {
      if (node instanceof cloudwatch.Alarm) {
        node.addAlarmAction(action);
        node.addOkAction(action);
      }
    }
  }

  private alarm(
    id: string,
    props: Pick<cloudwatch.AlarmProps, 'alarmDescription' | 'metric' | 'threshold'> &
      Partial<cloudwatch.AlarmProps>,
  ): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
  }
}
