/** Resuming from an id that does not exist yet is answered with the real newest id. */
import { describe, expect, it } from 'vitest';
import { api, createInstance, eventually } from '../support/api.ts';
import { connect } from '../support/ws.ts';

describe('subscribe with since_history_id beyond the newest record', () => {
  it(
    'answers last_history_id = the newest id there is, not the value sent',
    { timeout: 120_000 },
    async () => {
      const inst = await createInstance();
      const [record] = await eventually(async () => {
        const res = await api('GET', `/api/instances/${inst.id}/history`);
        return res.body.items.length > 0 && res.body.items;
        // History follows the stream, which lags under the whole suite's load.
      }, 60_000);
      const ws = await connect();
      try {
        ws.send({
          action: 'subscribe',
          topics: ['instances'],
          since_history_id: Number.MAX_SAFE_INTEGER,
        });
        const subscribed = await ws.waitFor((m) => m.type === 'subscribed');
        expect(subscribed.replayed).toBe(0);
        expect(subscribed.last_history_id).toBeGreaterThanOrEqual(record.history_id);
        expect(subscribed.last_history_id).toBeLessThan(Number.MAX_SAFE_INTEGER);
      } finally {
        await ws.close();
      }
    },
  );
});
