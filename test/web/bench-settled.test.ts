// @vitest-environment jsdom
/**
 * The console benchmark's "settled" wait (bench/console/page.ts): page turns are timed only
 * once the browser has torn down the document the run navigated from, whose teardown stalls
 * the new page's main thread about 1 s after the navigation. Driven frame by frame on a clock
 * of the test's own: no timing of the machine decides what is checked.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installBench, type Bench, type Settled } from '../../bench/console/page.ts';

/** The response of this document arrived at 100 ms: the previous one goes at 1,100 ms. */
const RESPONSE_START = 100;
const FRAME = 16;

let clock = 0;
let pending: ((t: number) => void)[] = [];

beforeEach(() => {
  clock = 0;
  pending = [];
  vi.stubGlobal('performance', {
    now: () => clock,
    timeOrigin: 0,
    getEntriesByType: (type: string) =>
      type === 'navigation' ? [{ name: '/', startTime: 0, responseStart: RESPONSE_START }] : [],
  });
  vi.stubGlobal('requestAnimationFrame', (cb: (t: number) => void) => pending.push(cb));
  installBench();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const bench = () => (globalThis as unknown as { __bench: Bench }).__bench;

/**
 * Runs `settled()` against frames at the times `frameTimes` yields (a gap between two is a
 * main-thread stall), one frame each time the page asks for one, until it resolves.
 */
async function settleWith(frameTimes: Iterator<number>): Promise<Settled> {
  let result: Settled | undefined;
  const done = bench()
    .settled()
    .then((r) => (result = r));
  while (result === undefined) {
    // Let the page's loop run up to its next requestAnimationFrame (or its answer).
    while (result === undefined && pending.length === 0) await Promise.resolve();
    if (result !== undefined) break;
    const next = frameTimes.next();
    if (next.done) throw new Error('ran out of frames before the page settled');
    clock = next.value;
    for (const cb of pending.splice(0)) cb(clock);
  }
  await done;
  return result;
}

function* steady(from: number, to = Infinity, step = FRAME) {
  for (let t = from; t < to; t += step) yield t;
}

describe('bench settled()', () => {
  it('waits for the previous document’s teardown to be due, however quiet the page is', async () => {
    const s = await settleWith(steady(0));
    expect(s.quiet).toBe(true);
    expect(s.stalls).toEqual([]);
    // The teardown is due at responseStart + 1 s (and may run a little later): quiet for
    // half a second from then.
    expect(s.at).toBeGreaterThanOrEqual(RESPONSE_START + 1_000 + 500);
    expect(s.at).toBeLessThan(RESPONSE_START + 1_000 + 500 + FRAME);
  });

  it('waits out a main-thread stall and then half a second of steady frames', async () => {
    // Steady frames, then the teardown, a little after it was due, blocks the main thread for
    // 600 ms at 1,200 ms.
    function* frames() {
      yield* steady(0, 1_200);
      yield* steady(1_800);
    }
    const s = await settleWith(frames());
    expect(s.quiet).toBe(true);
    expect(s.stalls).toHaveLength(1);
    const [[at, ms]] = s.stalls as [[number, number]];
    expect(at).toBeLessThan(1_200);
    expect(ms).toBeGreaterThan(600);
    expect(s.at).toBeGreaterThanOrEqual(1_800 + 500);
    expect(s.at).toBeLessThan(1_800 + 500 + FRAME);
  });

  it('gives up on a page that never goes quiet, and says so', async () => {
    // A frame every 100 ms: every one a stall.
    const s = await settleWith(steady(0, Infinity, 100));
    expect(s.quiet).toBe(false);
    expect(s.at).toBeGreaterThan(10_000);
    expect(s.stalls.length).toBeGreaterThan(90);
  });
});
