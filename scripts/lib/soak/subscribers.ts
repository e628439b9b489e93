/**
 * The soak's two WebSocket subscribers on the `instances` topic, through the typed client: one
 * stays connected (it still reconnects if the stack goes away), the other has its socket
 * closed every few seconds and resumes with `since_history_id`. Each logs every event the
 * client delivers, so the checker can find records missed and records delivered twice (the
 * client drops the server's repeats; a duplicate here is one that got past it).
 */
import { InstancesClient, type Subscription } from '../../../client/index.ts';

export class SoakSubscriber {
  /** history_id → times delivered. */
  readonly received = new Map<number, number>();
  readonly errors: string[] = [];
  drops = 0;
  private readonly sockets = new Set<WebSocket>();
  private readonly sub: Subscription;
  private dropTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly name: string,
    baseUrl: string,
    /** Close the socket every this many ms (0: never). */
    dropEveryMs = 0,
  ) {
    const sockets = this.sockets;
    // The global WebSocket, remembered so the drop can close it from outside the client.
    class Tracked extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.add(this);
        this.addEventListener('close', () => sockets.delete(this));
      }
    }
    const client = new InstancesClient({ baseUrl, WebSocket: Tracked });
    this.sub = client.subscribe({
      topics: ['instances'],
      // A fresh stack: everything from the first record on.
      sinceHistoryId: 0,
      reconnect: { baseDelayMs: 100, maxDelayMs: 1000 },
      pingIntervalMs: 5000,
      onEvent: (e) => this.received.set(e.history_id, (this.received.get(e.history_id) ?? 0) + 1),
      onError: (e) => this.errors.push(e.message),
    });
    if (dropEveryMs > 0) this.dropTimer = setInterval(() => this.drop(), dropEveryMs);
  }

  ready(): Promise<void> {
    return this.sub.ready;
  }

  /** Closes the current socket as a network drop would; the client resumes on its own. */
  drop(): void {
    for (const s of this.sockets) {
      this.drops++;
      s.close(3000, 'soak drop');
    }
  }

  stopDropping(): void {
    clearInterval(this.dropTimer);
  }

  /** history_ids in `expected` that never arrived, and how many arrived more than once. */
  compare(expected: Iterable<number>): { missing: number[]; duplicated: number } {
    const missing = [...expected].filter((id) => !this.received.has(id));
    const duplicated = [...this.received.values()].filter((n) => n > 1).length;
    return { missing, duplicated };
  }

  close(): Promise<void> {
    this.stopDropping();
    return this.sub.close();
  }
}
