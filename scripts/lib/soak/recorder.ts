/**
 * What the soak's clients saw, with times, so each figure can be split into the phase's windows
 * (before, during and after its fault): every HTTP attempt's status (the typed client retries
 * 503s and lost connections itself, so only a fetch wrapper sees them all), connections that
 * failed, and every acknowledged write with its version and latency.
 */
export interface Ack {
  id: number;
  version: number;
  op: string;
  /** When the acknowledgement arrived (ms since epoch) and how long the logical call took. */
  at: number;
  ms: number;
}

export class Recorder {
  readonly acks: Ack[] = [];
  readonly attempts: { at: number; status: number }[] = [];
  /** Attempts that got no response (connection refused or reset, timeout). */
  readonly refused: number[] = [];
  /** Writes answered 412 (If-Match lost a race): expected, counted for the record. */
  conflicts = 0;

  readonly fetch: typeof fetch = async (input, init) => {
    try {
      const res = await fetch(input, init);
      this.attempts.push({ at: Date.now(), status: res.status });
      return res;
    } catch (err) {
      this.refused.push(Date.now());
      throw err;
    }
  };

  ack(id: number, version: number, op: string, started: number): void {
    const at = Date.now();
    this.acks.push({ id, version, op, at, ms: at - started });
  }

  /** Attempts answered `status` in [from, to). */
  statusCount(status: number, from: number, to = Infinity): number {
    return this.attempts.filter((a) => a.status === status && a.at >= from && a.at < to).length;
  }
}

/** The q-quantile (0..1) of the write latencies, ms, by the nearest-rank method. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
