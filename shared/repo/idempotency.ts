/**
 * `Idempotency-Key` records in DynamoDB (never in memory): a conditional put claims the key,
 * the first successful response is stored for 24 h and replayed; a different body under the
 * same key is a 422 and a retry while the first call still runs is a 409.
 *
 * Why not Powertools' idempotency utility: the SPEC needs the replay marked with a header,
 * a 422 for a payload mismatch and the key scoped to the caller and route; its middy
 * middleware returns a stored handler result without those hooks. The record layout follows
 * the same design (status, expiry, in-progress expiry, payload hash).
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { conflict, validationError } from '../domain/errors.ts';
import { idempotencyRecordKey } from './idempotency-key.ts';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** A claim older than this is considered abandoned (the Lambda timeout plus a margin). */
export const IN_PROGRESS_TIMEOUT_MS = 35_000;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type BeginResult = { state: 'claimed' } | { state: 'replay'; response: StoredResponse };

interface IdempotencyItem {
  pk: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  payload_hash: string;
  expires_at: number;
  in_progress_until: number;
  response?: string;
}

export class IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  static recordKey(scope: string, key: string): string {
    return idempotencyRecordKey(scope, key);
  }

  async begin(recordKey: string, payloadHash: string): Promise<BeginResult> {
    const now = this.now();
    const item: IdempotencyItem = {
      pk: recordKey,
      status: 'IN_PROGRESS',
      payload_hash: payloadHash,
      expires_at: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
      in_progress_until: now + IN_PROGRESS_TIMEOUT_MS,
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression:
            'attribute_not_exists(pk) OR expires_at < :nowSec OR (#status = :inProgress AND in_progress_until < :nowMs)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':nowSec': Math.floor(now / 1000),
            ':nowMs': now,
            ':inProgress': 'IN_PROGRESS',
          },
        }),
      );
      return { state: 'claimed' };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    const existing = await this.get(recordKey);
    if (!existing) return this.begin(recordKey, payloadHash); // expired and removed meanwhile
    if (existing.payload_hash !== payloadHash) {
      throw validationError('Idempotency-Key was already used with a different request', {
        'idempotency-key': 'reused with a different method, path or body',
      });
    }
    if (existing.status === 'IN_PROGRESS' || !existing.response) {
      throw conflict('A request with this Idempotency-Key is still in progress; retry later');
    }
    return { state: 'replay', response: JSON.parse(existing.response) as StoredResponse };
  }

  async complete(recordKey: string, response: StoredResponse): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: recordKey },
        UpdateExpression: 'SET #status = :completed, #response = :response',
        ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
        ExpressionAttributeValues: {
          ':completed': 'COMPLETED',
          ':response': JSON.stringify(response),
        },
      }),
    );
  }

  /** Frees the key after a failure so a retry runs the request again. */
  async release(recordKey: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: recordKey } }),
    );
  }

  private async get(recordKey: string): Promise<IdempotencyItem | undefined> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: recordKey }, ConsistentRead: true }),
    );
    return res.Item as IdempotencyItem | undefined;
  }
}
