/**
 * `npm run redrive -- --queue-url …`: replays the messages of a deployed consumer's on-failure
 * SQS queue. Each names a shard range; the range is re-read from the stream (while it retains
 * it), turned into the event Lambda would have sent, and the function is invoked with it. A
 * message is deleted only once every invocation for it succeeded. Idempotent: the handlers are.
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  lambdaEvents,
  lambdaPayload,
  RangeAgedOutError,
  readRange,
  regionOfArn,
  type ShardRange,
} from './stream-range.ts';
import { BATCH } from './redrive.ts';

/** Lambda's on-failure record of a DynamoDB stream mapping: the fields the redrive reads. */
interface OnFailureMessage {
  requestContext?: { functionArn?: string; condition?: string };
  DDBStreamBatchInfo: ShardRange & { batchSize: number };
}

/** What one message came to. */
export type QueueMessageOutcome =
  'replayed' | 'would replay' | 'failed again' | 'aged out' | 'skipped' | 'not deleted';

export interface QueueRedriveReport {
  queueUrl: string;
  /** Functions invoked (or, in a dry run, that would be). */
  functions: string[];
  dryRun: boolean;
  /** Messages received. */
  messages: number;
  /** Messages whose range was re-read and delivered without failure, then deleted. */
  replayed: number;
  /** In a dry run: messages whose range is still in the stream and would be replayed. */
  wouldReplay: number;
  /** Stream records those messages covered (delivered, or in a dry run to be delivered). */
  records: number;
  /** Invocations of the function that delivered those records. */
  invocations: number;
  /** The function failed (FunctionError, batchItemFailures, an Invoke error) or the range could not be read whole: kept. */
  failedAgain: number;
  /** The range is no longer in the stream (24 h retention): kept, nothing can replay it. */
  agedOut: number;
  /** Not a DynamoDB stream on-failure record, or one for another function: kept. */
  skipped: number;
  /** Replayed, but DeleteMessage failed: a later run replays it again (harmless). */
  notDeleted: number;
  /** One line per message: its range and what came of it. */
  lines: string[];
}

export interface QueueRedriveDeps {
  queueUrl: string;
  sqs: SQSClient;
  lambda: LambdaClient;
  streams: DynamoDBStreamsClient;
  /**
   * The function to invoke. Unset: the function named in each message
   * (`requestContext.functionArn`). Set: messages naming another function are skipped.
   */
  functionName?: string;
  dryRun?: boolean;
  /** Long-poll wait of each ReceiveMessage (seconds, ≤ 20). */
  waitSeconds?: number;
  /** How long received messages stay invisible to other readers while the run lasts. */
  visibilityTimeoutSeconds?: number;
}

/** Bytes per Invoke payload at most: a synchronous Invoke takes 6 MB, keep a margin. */
const MAX_INVOKE_BYTES = 5 * 1024 * 1024;
const SEQUENCE = /^\d{1,40}$/;

/** `name` of a function name, ARN or partial ARN (`[arn:aws:lambda:r:acct:]function:name[:qualifier]`). */
export function functionNameOf(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  const i = parts.indexOf('function');
  return i >= 0 && parts[i + 1] ? parts[i + 1]! : nameOrArn;
}

function parseMessage(body: string | undefined): OnFailureMessage | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return 'body is not JSON';
  }
  const info = (parsed as Partial<OnFailureMessage> | null)?.DDBStreamBatchInfo;
  if (
    !info ||
    typeof info.streamArn !== 'string' ||
    typeof info.shardId !== 'string' ||
    typeof info.startSequenceNumber !== 'string' ||
    typeof info.endSequenceNumber !== 'string' ||
    !SEQUENCE.test(info.startSequenceNumber) ||
    !SEQUENCE.test(info.endSequenceNumber)
  ) {
    return 'not a DynamoDB stream on-failure record (no DDBStreamBatchInfo with a shard range)';
  }
  return parsed as OnFailureMessage;
}

const rangeText = (r: ShardRange) => `${r.shardId} ${r.startSequenceNumber}…${r.endSequenceNumber}`;

/** Why an Invoke result is a failure, or undefined for success. */
function invokeFailure(res: InvokeCommandOutput): string | undefined {
  const text = res.Payload ? Buffer.from(res.Payload).toString('utf8') : '';
  if (res.FunctionError) {
    let detail = text;
    try {
      const p = JSON.parse(text) as { errorType?: string; errorMessage?: string };
      if (p.errorType || p.errorMessage) detail = `${p.errorType ?? 'Error'}: ${p.errorMessage}`;
    } catch {
      // not JSON: the raw text says it
    }
    return `FunctionError ${res.FunctionError}: ${detail}`.slice(0, 500);
  }
  let response: DynamoDBBatchResponse | null;
  try {
    response = text ? (JSON.parse(text) as DynamoDBBatchResponse | null) : null;
  } catch {
    return undefined; // a non-JSON result is not a batch response: success, as for Lambda
  }
  const failed = response?.batchItemFailures?.length ?? 0;
  return failed > 0 ? `${failed} record(s) failed again (batchItemFailures)` : undefined;
}

/**
 * Replays the messages of a consumer's on-failure queue: receives them all (long polls until the
 * queue answers empty), and in stream order (stream, shard, first sequence number) re-reads each
 * range from the stream, invokes the function synchronously with the events Lambda would have
 * delivered (in batches no larger than the failed one), and deletes the message only when every
 * invocation succeeded. A message whose records aged out of the stream, that failed again, or
 * that is not for this function is kept, and made visible again at the end. The handlers are
 * idempotent, so replaying a range (or records of it that did get through) changes nothing twice.
 */
export async function redriveQueue({
  queueUrl,
  sqs,
  lambda,
  streams,
  functionName,
  dryRun = false,
  waitSeconds = 5,
  visibilityTimeoutSeconds = 900,
}: QueueRedriveDeps): Promise<QueueRedriveReport> {
  const report: QueueRedriveReport = {
    queueUrl,
    functions: [],
    dryRun,
    messages: 0,
    replayed: 0,
    wouldReplay: 0,
    records: 0,
    invocations: 0,
    failedAgain: 0,
    agedOut: 0,
    skipped: 0,
    notDeleted: 0,
    lines: [],
  };

  // Receive everything first: messages stay invisible while the run lasts, so the loop ends
  // when the queue answers empty (or only with messages already received: duplicates).
  const received = new Map<string, Message>();
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
        VisibilityTimeout: visibilityTimeoutSeconds,
      }),
    );
    const messages = res.Messages ?? [];
    let fresh = 0;
    for (const m of messages) {
      const id = m.MessageId ?? m.ReceiptHandle!;
      if (!received.has(id)) fresh++;
      // The latest receipt handle is the one DeleteMessage honours.
      received.set(id, m);
    }
    if (fresh === 0) break;
  }
  report.messages = received.size;

  const parsed = [...received.values()].map((m) => ({ m, msg: parseMessage(m.Body) }));
  const key = (x: (typeof parsed)[number]) =>
    typeof x.msg === 'string'
      ? (['', '', -1n] as const)
      : ([
          x.msg.DDBStreamBatchInfo.streamArn,
          x.msg.DDBStreamBatchInfo.shardId,
          BigInt(x.msg.DDBStreamBatchInfo.startSequenceNumber),
        ] as const);
  parsed.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    if (ka[0] !== kb[0]) return ka[0] < kb[0] ? -1 : 1;
    if (ka[1] !== kb[1]) return ka[1] < kb[1] ? -1 : 1;
    return ka[2] < kb[2] ? -1 : ka[2] > kb[2] ? 1 : 0;
  });

  const kept: Message[] = [];
  const functions = new Set<string>();
  for (const { m, msg } of parsed) {
    const outcome = (o: QueueMessageOutcome, what: string, text: string) => {
      report.lines.push(`${o}: ${what}: ${text}`);
      if (o !== 'replayed' && o !== 'not deleted') kept.push(m);
    };
    if (typeof msg === 'string') {
      report.skipped++;
      outcome('skipped', `message ${m.MessageId}`, `${msg}; kept`);
      continue;
    }
    const range = msg.DDBStreamBatchInfo;
    const what = rangeText(range);
    const named = msg.requestContext?.functionArn;
    if (functionName && named && functionNameOf(named) !== functionNameOf(functionName)) {
      report.skipped++;
      outcome('skipped', what, `for function ${named}, not ${functionName}; kept`);
      continue;
    }
    const target = functionName ?? named;
    if (!target) {
      report.skipped++;
      outcome('skipped', what, 'names no function: pass --function; kept');
      continue;
    }
    functions.add(target);

    let read;
    try {
      read = await readRange(streams, range, { maxEmptyPages: 10 });
    } catch (err) {
      if (err instanceof RangeAgedOutError) {
        report.agedOut++;
        outcome('aged out', what, `${err.message}; kept`);
        continue;
      }
      report.failedAgain++;
      outcome('failed again', what, `reading the stream: ${String(err)}; kept`);
      continue;
    }
    if (!read.complete) {
      report.failedAgain++;
      outcome(
        'failed again',
        what,
        `the stream returned ${read.records.length} record(s) but not the range's last one; kept`,
      );
      continue;
    }
    const events = lambdaEvents(read.records, range.streamArn, {
      // No larger than the batch that failed (the function's batch size: its timeout is sized
      // for it); with a parallelization factor the range also holds other keys' records.
      maxRecords: Math.max(1, Math.min(range.batchSize || BATCH, BATCH)),
      maxBytes: MAX_INVOKE_BYTES,
      region: regionOfArn(range.streamArn),
    });
    if (dryRun) {
      report.wouldReplay++;
      report.records += read.records.length;
      outcome(
        'would replay',
        what,
        `${read.records.length} record(s) in ${events.length} invocation(s) of ${target}`,
      );
      continue;
    }

    let failure: string | undefined;
    for (const event of events) {
      try {
        const res = await lambda.send(
          new InvokeCommand({
            FunctionName: target,
            InvocationType: 'RequestResponse',
            Payload: Buffer.from(lambdaPayload(event)),
          }),
        );
        failure = invokeFailure(res);
      } catch (err) {
        failure = `Invoke: ${String(err)}`;
      }
      if (failure) break;
    }
    if (failure) {
      report.failedAgain++;
      outcome('failed again', what, `${failure}; kept`);
      continue;
    }
    report.records += read.records.length;
    report.invocations += events.length;
    try {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
      report.replayed++;
      outcome(
        'replayed',
        what,
        `${read.records.length} record(s) in ${events.length} invocation(s) of ${target}; deleted`,
      );
    } catch (err) {
      report.replayed++;
      report.notDeleted++;
      outcome(
        'not deleted',
        what,
        `replayed, but DeleteMessage failed (${String(err)}): a later run replays it again`,
      );
    }
  }
  report.functions = [...functions];

  // Kept messages need not wait out the visibility timeout before the next run sees them.
  for (let i = 0; i < kept.length; i += 10) {
    const batch = kept.slice(i, i + 10);
    try {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, j) => ({
            Id: String(j),
            ReceiptHandle: m.ReceiptHandle!,
            VisibilityTimeout: 0,
          })),
        }),
      );
    } catch (err) {
      report.lines.push(
        `note: kept messages stay invisible for up to ${visibilityTimeoutSeconds} s ` +
          `(ChangeMessageVisibility failed: ${String(err)})`,
      );
      break;
    }
  }
  return report;
}

/** The report as the command prints it: one summary line, then one line per message. */
export function formatQueueReport(r: QueueRedriveReport): string[] {
  const queue = r.queueUrl.split('/').pop() || r.queueUrl;
  const fns = r.functions.length ? r.functions.map(functionNameOf).join(', ') : '-';
  const summary = r.dryRun
    ? `${queue} → ${fns} (dry run): messages ${r.messages}; would replay ${r.wouldReplay} ` +
      `(${r.records} records), aged out ${r.agedOut}, skipped ${r.skipped}; nothing invoked or deleted`
    : `${queue} → ${fns}: messages ${r.messages}; replayed ${r.replayed} (${r.records} records, ` +
      `${r.invocations} invocations), failed again ${r.failedAgain}, aged out ${r.agedOut}, ` +
      `skipped ${r.skipped}` +
      (r.notDeleted ? `, not deleted ${r.notDeleted}` : '');
  return [summary, ...r.lines.map((l) => `  ${l}`)];
}
