/**
 * `npm run redrive`: re-processes what the local stack's stream consumers set aside — the
 * on-failure entries (re-read from the stream) and the quarantined poison records — with the
 * same handlers, against the running stack. Idempotent: run it as often as you like.
 *
 *   npm run redrive                       # the stack started with the default --data-dir .data
 *   npm run redrive -- --data-dir DIR     # a stack started with --data-dir DIR
 *   npm run redrive -- --state-dir DIR    # an --in-memory stack: the folder its banner names
 *
 * Deployed: replays the messages of a consumer's on-failure SQS queue (each a shard range,
 * re-read from the stream while it retains them, 24 h) by invoking the deployed function, and
 * deletes a message only after its records went through (docs/reliability.md, "Runbook"):
 *
 *   npm run redrive -- --queue-url URL [--queue-url URL…] [--function NAME_OR_ARN]
 *                      [--region R] [--dry-run]
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { streamConsumers } from '../shared/config/streams.ts';
import { tables } from '../shared/config/tables.ts';
import { createDocumentClient } from '../shared/aws/dynamo.ts';
import { QuarantineRepository } from '../shared/repo/quarantine.ts';
import { readStackState } from '../infra/local/stack-state.ts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { redrive, type Handler } from '../infra/local/redrive.ts';
import { formatQueueReport, redriveQueue } from '../infra/local/redrive-queue.ts';
import { LOCAL_AWS } from '../infra/local/dynamodb-local.ts';
import { loadHandler } from '../infra/local/handlers.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.data' },
    'state-dir': { type: 'string' },
    consumer: { type: 'string' },
    'queue-url': { type: 'string', multiple: true },
    function: { type: 'string' },
    region: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    [
      'Local stack:',
      '  npm run redrive [-- --data-dir DIR | --state-dir DIR] [--consumer HistoryWriter|Broadcaster|OperationWorker]',
      'Deployed (AWS credentials from the environment / profile, as the AWS CLI):',
      '  npm run redrive -- --queue-url URL [--queue-url URL…] [--function NAME_OR_ARN] [--region R] [--dry-run]',
      "    --queue-url  a consumer's on-failure queue (how to find it: docs/reliability.md, Runbook)",
      '    --function   the function to invoke; default: the one each message names',
      "    --region     default: the queue URL's region",
      '    --dry-run    re-read the ranges and report; invoke nothing, delete nothing',
    ].join('\n'),
  );
  process.exit(0);
}

const queueUrls = values['queue-url'] ?? [];
if (queueUrls.length > 0) {
  // sqs.<region>.amazonaws.com/… (or the legacy <region>.queue.amazonaws.com/…)
  const fromUrl = /^https:\/\/(?:sqs\.)?([a-z]{2}(?:-[a-z]+)+-\d)\./.exec(queueUrls[0]!)?.[1];
  const region = values.region ?? fromUrl;
  const aws = region ? { region } : {};
  const sqs = new SQSClient(aws);
  // A replay may take as long as the function's timeout.
  const lambda = new LambdaClient({ ...aws, requestHandler: { requestTimeout: 16 * 60_000 } });
  const streams = new DynamoDBStreamsClient(aws);
  let kept = false;
  try {
    for (const queueUrl of queueUrls) {
      const r = await redriveQueue({
        queueUrl,
        sqs,
        lambda,
        streams,
        functionName: values.function,
        dryRun: values['dry-run'],
      });
      for (const line of formatQueueReport(r)) console.log(line);
      kept ||= r.failedAgain + r.agedOut + r.skipped + r.notDeleted > 0;
    }
  } catch (err) {
    console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
    process.exit(2);
  }
  process.exit(kept ? 1 : 0);
}

const stateDir = resolve(values['state-dir'] ?? join(values['data-dir'], 'streams'));
let failed = false;
try {
  const state = readStackState(stateDir);
  // The handler modules read their configuration from the environment, as in Lambda.
  Object.assign(process.env, state.env);
  const aws = { endpoint: state.dynamodb, ...LOCAL_AWS };
  const streams = new DynamoDBStreamsClient(aws);
  const quarantine = new QuarantineRepository(createDocumentClient(new DynamoDBClient(aws)), {
    meta: state.env[tables.meta.envVar]!,
  });
  for (const consumer of streamConsumers) {
    if (values.consumer && consumer.id !== values.consumer) continue;
    const handler = (await loadHandler(consumer.handler)) as Handler;
    const r = await redrive({ consumer, handler, streams, quarantine, stateDir });
    console.log(
      `${r.consumer}: on-failure entries replayed ${r.entriesReplayed} (${r.records} records), ` +
        `failed again ${r.entriesFailed}; quarantined records released ${r.quarantineReleased}, ` +
        `still failing ${r.quarantineStillFailing}`,
    );
    for (const e of r.errors) console.log(`  ${e}`);
    failed ||= r.entriesFailed > 0 || r.quarantineStillFailing > 0;
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
}
process.exit(failed ? 1 : 0);
