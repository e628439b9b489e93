/**
 * A live subscription over the WebSocket API (SPEC §5) that survives drops:
 * - pings every `pingIntervalMs` (API Gateway closes idle sockets after 10 min) and treats a
 *   socket that stays silent for `pongTimeoutMs` after a ping as dead;
 * - reconnects with exponential backoff and full jitter;
 * - resubscribes with `since_history_id` = the last history_id it delivered, so the server
 *   replays what was missed;
 * - delivers each history_id once (the server may repeat records around a resume hand-off).
 */
import { ResumeGapError } from './errors.ts';
import { fullJitter, type BackoffPolicy } from './retry.ts';
import type { InstanceEvent, WsControlMessage } from './types.ts';
// The protocol's own schemas, as types only: the client carries no zod at run time.
import type { PingMessage, SubscribeMessage } from '../shared/ws/protocol.ts';

/** The part of the WHATWG WebSocket API used here (Node ≥ 22 global, browsers, `ws`). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', fn: () => void): void;
  addEventListener(type: 'message', fn: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'close', fn: (ev: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', fn: (ev: unknown) => void): void;
}

export type SubscriptionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SubscribeOptions {
  /** `instances`, `instance:<id>`, `operation:<id>`. */
  topics: string[];
  /**
   * Resume after this history_id. Without it the subscription is live from the server's
   * `subscribed` answer (`ready`): read the state over HTTP after that to miss nothing.
   */
  sinceHistoryId?: number;
  /** Default 30 s. */
  pingIntervalMs?: number;
  /** A socket silent this long after a ping is replaced (default 10 s). */
  pongTimeoutMs?: number;
  /** Reconnect backoff (default 250 ms doubling up to 15 s, with full jitter). */
  reconnect?: Partial<BackoffPolicy> & { maxAttempts?: number };
  onEvent?: (event: InstanceEvent) => void;
  onControl?: (message: WsControlMessage) => void;
  /** Any other server message, e.g. `operation.progress` for `operation:<id>` topics. */
  onMessage?: (message: Record<string, unknown>) => void;
  onStateChange?: (state: SubscriptionState) => void;
  /** Server-side errors (`{"type":"error"}`), resume gaps, and failed connection attempts. */
  onError?: (error: Error) => void;
}

export interface Transport {
  url: () => Promise<string>;
  WebSocket: new (url: string) => WebSocketLike;
}

const OPEN = 1;
const SEEN_WINDOW = 10_000;
/** Every control message type the protocol has: a new one fails `tsc` here until it is listed. */
const CONTROL_TYPES: Readonly<Record<WsControlMessage['type'], true>> = {
  subscribed: true,
  unsubscribed: true,
  pong: true,
  error: true,
};
const PING: PingMessage = { action: 'ping' };
const REFUSALS = new Set(['ValidationError', 'BadRequest', 'Forbidden']);

export class Subscription implements AsyncIterable<InstanceEvent> {
  /** The highest history_id delivered (the resume point). */
  lastHistoryId: number | undefined;
  state: SubscriptionState = 'connecting';
  readonly stats = { connections: 0, replayed: 0, duplicatesDropped: 0 };

  private socket: WebSocketLike | undefined;
  private readonly seen = new Set<number>();
  private attempt = 0;
  private closed = false;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly queue: InstanceEvent[] = [];
  /**
   * Events that arrive between a `subscribe` and its answer, held and then delivered in
   * history_id order (each instance's in version order): there a resume's replay and catch-up
   * interleave with the first live broadcasts, and a record broadcast live just after the
   * hand-off can overtake the catch-up of an earlier change of the same instance.
   */
  private held: InstanceEvent[] | undefined;
  private readonly waiting: ((r: IteratorResult<InstanceEvent>) => void)[] = [];
  private readyResolve!: () => void;
  private readyReject!: (err: Error) => void;
  /**
   * Resolves when the first subscription is acknowledged (or its resume reports a gap); rejects
   * when the server refuses the subscription itself (e.g. an invalid topic), which also closes it.
   */
  readonly ready: Promise<void> = new Promise((resolve, reject) => {
    this.readyResolve = resolve;
    this.readyReject = reject;
  });

  constructor(
    private readonly opts: SubscribeOptions,
    private readonly transport: Transport,
  ) {
    this.lastHistoryId = opts.sinceHistoryId;
    this.ready.catch(() => undefined); // reported through onError too; awaiting is optional
    void this.start();
  }

  private async start(): Promise<void> {
    // The record we resume from is one the caller has: a resume's overlap may send it again.
    if (this.lastHistoryId !== undefined) this.seen.add(this.lastHistoryId);
    await this.connect();
  }

  private setState(state: SubscriptionState): void {
    if (this.state === state) return;
    this.state = state;
    this.opts.onStateChange?.(state);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let socket: WebSocketLike;
    try {
      socket = new this.transport.WebSocket(await this.transport.url());
    } catch (err) {
      this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      return this.scheduleReconnect();
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      this.stats.connections++;
      const subscribe: SubscribeMessage = {
        action: 'subscribe',
        topics: this.opts.topics,
        ...(this.lastHistoryId !== undefined ? { since_history_id: this.lastHistoryId } : {}),
      };
      this.held = [];
      socket.send(JSON.stringify(subscribe));
      this.startPinging(socket);
    });
    socket.addEventListener('message', (ev) => {
      if (this.socket === socket) this.onMessage(ev.data);
    });
    socket.addEventListener('close', () => {
      if (this.socket === socket) this.dropped();
    });
    socket.addEventListener('error', () => {
      // A `close` follows; nothing to do here.
    });
  }

  private startPinging(socket: WebSocketLike): void {
    this.stopPinging();
    this.pingTimer = setInterval(() => {
      if (socket.readyState !== OPEN) return;
      socket.send(JSON.stringify(PING));
      this.pongTimer ??= setTimeout(() => {
        // No answer: a half-open connection. Drop it and reconnect.
        if (this.socket === socket) {
          this.opts.onError?.(new Error('No pong from the server; reconnecting'));
          socket.close(4000, 'pong timeout');
          this.dropped();
        }
      }, this.opts.pongTimeoutMs ?? 10_000);
    }, this.opts.pingIntervalMs ?? 30_000);
  }

  private stopPinging(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pingTimer = undefined;
    this.pongTimer = undefined;
  }

  private onMessage(data: unknown): void {
    // Anything from the server proves the connection alive.
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
    let msg: { type?: unknown; history_id?: unknown } & Record<string, unknown>;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return;
    }
    if (typeof msg.history_id === 'number' && String(msg.type).startsWith('instance.')) {
      const event = msg as unknown as InstanceEvent;
      if (this.held) this.held.push(event);
      else this.deliver(event);
      return;
    }
    const control = msg as unknown as WsControlMessage;
    if (!Object.hasOwn(CONTROL_TYPES, String(msg.type))) {
      this.opts.onMessage?.(msg);
      return;
    }
    if (control.type === 'subscribed') {
      this.attempt = 0;
      this.release();
      // The server's resume point: where a fresh subscription went live, or the newest id that
      // exists when ours is beyond it (an id from another stack). A lower point only re-sends
      // what `seen` drops.
      const point = control.last_history_id;
      if (point !== undefined && (this.lastHistoryId === undefined || point < this.lastHistoryId)) {
        this.lastHistoryId = point;
        this.seen.add(point); // as for `sinceHistoryId`: the caller has it (read after `ready`)
      }
      this.stats.replayed += control.replayed ?? 0;
      this.setState('open');
      this.readyResolve();
    } else if (control.type === 'error') {
      const e = control.error;
      if (e.type === 'ResumeTooFar') {
        // The server went live without replaying: the caller must reload over HTTP.
        this.release();
        this.setState('open');
        this.readyResolve();
        this.opts.onError?.(new ResumeGapError(e.message, e.details));
      } else {
        const err = Object.assign(new Error(e.message), { type: e.type, details: e.details });
        this.opts.onError?.(err);
        if (this.state !== 'open' && REFUSALS.has(e.type)) {
          // The subscribe message itself was refused: retrying would only repeat it.
          this.readyReject(err);
          void this.close();
        }
      }
    }
    this.opts.onControl?.(control);
  }

  /** Delivers the held events in history_id order and stops holding. */
  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held.sort((a, b) => a.history_id - b.history_id)) this.deliver(event);
  }

  private deliver(event: InstanceEvent): void {
    const id = event.history_id;
    if (this.seen.has(id)) {
      this.stats.duplicatesDropped++;
      return;
    }
    this.seen.add(id);
    if (this.seen.size > SEEN_WINDOW) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    if (this.lastHistoryId === undefined || id > this.lastHistoryId) this.lastHistoryId = id;
    this.opts.onEvent?.(event);
    const waiter = this.waiting.shift();
    if (waiter) waiter({ value: event, done: false });
    else this.queue.push(event);
  }

  private dropped(): void {
    this.stopPinging();
    this.socket = undefined;
    this.release(); // what arrived before the drop was sent; the resume dedupes the rest
    if (this.closed) return;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const r = this.opts.reconnect ?? {};
    if (this.attempt >= (r.maxAttempts ?? Infinity)) {
      this.opts.onError?.(new Error(`Gave up reconnecting after ${this.attempt} attempts`));
      void this.close();
      return;
    }
    this.setState('reconnecting');
    const delay = fullJitter(this.attempt++, {
      baseDelayMs: r.baseDelayMs ?? 250,
      maxDelayMs: r.maxDelayMs ?? 15_000,
      ...(r.random ? { random: r.random } : {}),
    });
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  /** Closes the socket for good; pending iterations end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.stopPinging();
    const socket = this.socket;
    this.socket = undefined;
    if (socket && socket.readyState <= OPEN) socket.close(1000, 'client closed');
    this.setState('closed');
    this.readyResolve();
    for (const w of this.waiting.splice(0)) w({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<InstanceEvent> {
    return {
      next: () => {
        const value = this.queue.shift();
        if (value) return Promise.resolve({ value, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiting.push(resolve));
      },
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }
}
