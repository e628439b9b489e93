/**
 * One WebSocket subscription to the `instances` topic for the whole console (client.subscribe:
 * pings, reconnects, resumes with since_history_id, drops duplicates). Each event updates the
 * query cache in place (features/instances/live/apply-event.ts); what must be refetched (lists
 * that may gain or lose a row, counters) goes through one RefetchQueue, which coalesces bursts.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ResumeGapError, type SubscriptionState } from '../../../client/index.ts';
import { useApi } from '../lib/api.tsx';
import { flash } from '../lib/flash.ts';
import { applyInstanceEvent } from '../features/instances/live/apply-event.ts';
import { RefetchQueue } from '../features/instances/live/refetch-queue.ts';
import { instanceKeys } from '../features/instances/api/keys.ts';
import { historyKeys } from '../features/history/api/keys.ts';

export type LiveState = SubscriptionState;
const LiveContext = createContext<LiveState>('connecting');
export const useLiveState = () => useContext(LiveContext);

export function LiveProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    const refetch = new RefetchQueue(qc);
    let wentLive = false;
    const sub = api.subscribe({
      topics: ['instances'],
      onEvent: (event) => {
        applyInstanceEvent(qc, event, refetch.add);
        flash(
          event.instance_id,
          event.type === 'instance.created'
            ? 'created'
            : event.type === 'instance.deleted'
              ? 'deleted'
              : 'updated',
        );
        refetch.add(instanceKeys.stats());
      },
      onStateChange: (next) => {
        setState(next);
        // A fresh subscription delivers what is committed after it went live: what was read
        // before that (the first page, fetched in parallel for a fast load) is read again.
        // Reconnections resume from the last event instead (no refetch).
        if (next === 'open' && !wentLive) {
          wentLive = true;
          refetch.add(instanceKeys.all, false);
          refetch.add(historyKeys.all, false);
        }
      },
      onError: (err) => {
        // More was missed than the server replays: reload everything over HTTP.
        if (err instanceof ResumeGapError) void qc.invalidateQueries();
      },
    });
    return () => {
      refetch.dispose();
      void sub.close();
    };
  }, [api, qc]);
  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}
