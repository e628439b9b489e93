/** Resuming from an id that does not exist yet is answered with the real newest id. */
import { describe, expect, it } from 'vitest';
import { createInstance, historyThrough } from '../support/api.ts';
import { connect } from '../support/ws.ts';

describe('subscribe with since_history_id beyond the newest record', () => {
  it(
    'answers last_history_id = the newest id there is, not the value sent',
    { timeout: 120_000 },
    async () => {
      const inst = await createInstance();
      // The create's record: history follows the stream, which lags under the suite's load.
      const [record] = await historyThrough(inst.id, 1);
      const ws = await connect();
      try {
        // A topic of this file's own instance: no other file's changes are replayed or sent.
        ws.send({
          action: 'subscribe',
          topics: [`instance:${inst.id}`],
          since_history_id: Number.MAX_SAFE_INTEGER,
        });
        // The answer, whichever it is: an error fails here at once, not after a timeout.
        const subscribed = await ws.waitFor((m) => m.type === 'subscribed' || m.type === 'error');
        expect(subscribed).toMatchObject({
          type: 'subscribed',
          topics: [`instance:${inst.id}`],
          replayed: 0,
        });
        expect(subscribed.last_history_id).toBeGreaterThanOrEqual(record!.history_id);
        expect(subscribed.last_history_id).toBeLessThan(Number.MAX_SAFE_INTEGER);
        // Nothing was replayed (`replayed: 0` above). The only thing that can come before the
        // answer is the create record's live broadcast, if the Broadcaster was still behind.
        const before = ws.messages.slice(0, ws.messages.indexOf(subscribed));
        expect(before.map((m) => m.history_id)).toEqual(before.length ? [record!.history_id] : []);
      } finally {
        await ws.close();
      }
    },
  );
});
