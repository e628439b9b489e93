/**
 * The typed client's subscription without a server: a scripted socket plays what the server
 * sends around a resume, and the events must come out each once, in history_id order.
 */
import { describe, expect, it } from 'vitest';
import { Subscription, type WebSocketLike } from '../../client/subscription.ts';
import type { InstanceEvent } from '../../client/index.ts';

type Listener = (ev: any) => void;

class ScriptedSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  private readonly listeners = new Map<string, Listener[]>();

  addEventListener(type: string, fn: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
  }
  emit(type: string, ev: unknown = {}): void {
    if (type === 'open') this.readyState = 1;
    for (const fn of this.listeners.get(type) ?? []) fn(ev);
  }
  /** The server sends `message`. */
  say(message: Record<string, unknown>): void {
    this.emit('message', { data: JSON.stringify(message) });
  }
}

/** A subscription over scripted sockets; `socket(n)` is the n-th one it opened. */
function subscription(sinceHistoryId?: number) {
  const sockets: ScriptedSocket[] = [];
  const waiters: ((s: ScriptedSocket) => void)[] = [];
  const events: number[] = [];
  const sub = new Subscription(
    {
      topics: ['instance:7'],
      ...(sinceHistoryId !== undefined ? { sinceHistoryId } : {}),
      reconnect: { baseDelayMs: 1, maxDelayMs: 1 },
      onEvent: (e) => events.push(e.history_id),
    },
    {
      url: async () => 'ws://scripted',
      WebSocket: class extends ScriptedSocket {
        constructor() {
          super();
          sockets.push(this);
          waiters.splice(0).forEach((w) => w(this));
        }
      },
    },
  );
  const socket = (n: number) =>
    sockets[n] ? Promise.resolve(sockets[n]) : new Promise<ScriptedSocket>((r) => waiters.push(r));
  return { sub, events, socket };
}

const event = (history_id: number, version: number): Partial<InstanceEvent> => ({
  type: 'instance.updated',
  history_id,
  instance_id: 7,
  version,
});

describe('Subscription around a resume', () => {
  it('delivers a live record that overtook the catch-up after the records before it', async () => {
    const { sub, events, socket } = subscription(48);
    const s = await socket(0);
    s.emit('open');
    expect(s.sent[0]).toEqual({
      action: 'subscribe',
      topics: ['instance:7'],
      since_history_id: 48,
    });

    // The server: 51 broadcast live just after the hand-off, then the catch-up of 49–51.
    s.say(event(51, 6));
    s.say(event(49, 4));
    s.say(event(50, 5));
    s.say(event(51, 6));
    expect(events).toEqual([]);
    s.say({ type: 'subscribed', topics: ['instance:7'], replayed: 3, last_history_id: 51 });

    expect(events).toEqual([49, 50, 51]);
    expect(sub.lastHistoryId).toBe(51);
    expect(sub.stats.duplicatesDropped).toBe(1);
    // Once answered, live records are delivered as they come.
    s.say(event(52, 7));
    expect(events).toEqual([49, 50, 51, 52]);
    await sub.close();
  });

  it('delivers what arrived before a drop, in order, and resumes after the highest', async () => {
    const { sub, events, socket } = subscription(10);
    const first = await socket(0);
    first.emit('open');
    first.say(event(13, 3));
    first.say(event(12, 2));
    first.emit('close', { code: 1006, reason: '' });
    expect(events).toEqual([12, 13]);

    const second = await socket(1);
    second.emit('open');
    expect(second.sent[0]).toMatchObject({ since_history_id: 13 });
    await sub.close();
  });

  it('delivers the held records when the server answers ResumeTooFar', async () => {
    const { sub, events, socket } = subscription(1);
    const s = await socket(0);
    s.emit('open');
    s.say(event(3_000, 9));
    s.say(event(2_999, 8));
    s.say({ type: 'error', error: { type: 'ResumeTooFar', message: 'reload' } });
    expect(events).toEqual([2_999, 3_000]);
    await sub.close();
  });
});
