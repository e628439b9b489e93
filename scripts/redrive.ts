/**
 * `npm run redrive`: re-processes what the local stack's stream consumers set aside — the
 * on-failure entries (re-read from the stream) and the quarantined poison records — with the
 * same handlers, against the running stack. Idempotent: run it as often as you like.
 *
 *   npm run redrive                       # the stack started with the default --data-dir .data
 *   npm run redrive -- --data-dir DIR     # a stack started with --data-dir DIR
 *   npm run redrive -- --state-dir DIR    # an --in-memory stack: the folder its banner names
 *
 * Deployed, the runbook in docs/operations.md replays the on-failure queue's entries.
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
import { redrive, type Handler } from '../infra/local/redrive.ts';
import { LOCAL_AWS } from '../infra/local/dynamodb-local.ts';
import { loadHandler } from '../infra/local/handlers.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.data' },
    'state-dir': { type: 'string' },
    consumer: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'npm run redrive [-- --data-dir DIR | --state-dir DIR] [--consumer HistoryWriter|Broadcaster|OperationWorker]',
  );
  process.exit(0);
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
