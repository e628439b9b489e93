/**
 * One WebSocket subscription to the `instances` topic for the whole console (client.subscribe:
 * pings, reconnects, resumes with since_history_id, drops duplicates). Each event updates the
 * query cache in place (features/instances/live/apply-event.ts); counters refetch, throttled.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ResumeGapError, type SubscriptionState } from '../../../client/index.ts';
import { useApi } from '../lib/api.tsx';
import { flash } from '../lib/flash.ts';
import { applyInstanceEvent } from '../features/instances/live/apply-event.ts';
import { instanceKeys } from '../features/instances/api/keys.ts';

export type LiveState = SubscriptionState;
const LiveContext = createContext<LiveState>('connecting');
export const useLiveState = () => useContext(LiveContext);

const STATS_THROTTLE_MS = 500;

export function LiveProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    let statsTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshStats = () => {
      statsTimer ??= setTimeout(() => {
        statsTimer = undefined;
        void qc.invalidateQueries({ queryKey: instanceKeys.stats() });
      }, STATS_THROTTLE_MS);
    };
    const sub = api.subscribe({
      topics: ['instances'],
      onEvent: (event) => {
        applyInstanceEvent(qc, event);
        flash(
          event.instance_id,
          event.type === 'instance.created'
            ? 'created'
            : event.type === 'instance.deleted'
              ? 'deleted'
              : 'updated',
        );
        refreshStats();
      },
      onStateChange: setState,
      onError: (err) => {
        // More was missed than the server replays: reload everything over HTTP.
        if (err instanceof ResumeGapError) void qc.invalidateQueries();
      },
    });
    return () => {
      clearTimeout(statsTimer);
      void sub.close();
    };
  }, [api, qc]);
  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}
