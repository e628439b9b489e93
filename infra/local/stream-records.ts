/**
 * The shapes the local event source mapping shares with Lambda: a stream record as Lambda
 * delivers it, and what a mapping sends to its on-failure destination.
 */
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { LOCAL_AWS } from './dynamodb-local.ts';

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** What Lambda sends to a stream mapping's on-failure destination: a pointer, not the records. */
export interface FailureEntry {
  requestContext: { condition: FailureCondition; functionArn: string };
  responseContext: { reason: string };
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    batchSize: number;
    streamArn: string;
  };
  timestamp: string;
}

/** A GetRecords record in the shape Lambda delivers it (epoch-second timestamps, wire-format images). */
export function toLambdaRecord(r: StreamRecord, streamArn: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  return {
    eventID: r.eventID!,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_AWS.region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(d.ApproximateCreationDateTime
        ? {
            ApproximateCreationDateTime: Math.floor(d.ApproximateCreationDateTime.getTime() / 1000),
          }
        : {}),
      Keys: d.Keys as never,
      ...(d.NewImage ? { NewImage: d.NewImage as never } : {}),
      ...(d.OldImage ? { OldImage: d.OldImage as never } : {}),
      SequenceNumber: d.SequenceNumber!,
      SizeBytes: d.SizeBytes ?? 0,
      StreamViewType: d.StreamViewType as 'NEW_AND_OLD_IMAGES',
    },
    ...(r.userIdentity ? { userIdentity: r.userIdentity } : {}),
  };
}
