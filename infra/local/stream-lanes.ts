/**
 * One shard read the way Lambda reads it with a ParallelizationFactor N > 1: records go to N
 * lanes by a hash of their partition key, each lane delivers its records in order, one batch
 * at a time, and the lanes run concurrently and independently (a slow lane does not hold the
 * others back). The shard's checkpoint only moves over a prefix of records that are all
 * settled, so a stop mid-way delivers every unsettled record again after a restart.
 */
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';

export interface LaneOptions {
  lanes: number;
  batchSize: number;
  /** The source table's partition key attribute (records without it spread by sequence). */
  hashKey: () => string | undefined;
  /** Settles a batch (processed or sent to the on-failure destination); false if stopped first. */
  deliver: (batch: StreamRecord[]) => Promise<boolean>;
  checkpoint: (record: StreamRecord) => void;
}

interface Entry {
  record: StreamRecord;
  settled: boolean;
}

export class ShardLanes {
  private readonly queues: Entry[][];
  private readonly workers: (Promise<void> | undefined)[];
  /** Every record read and not yet checkpointed, in shard order. */
  private readonly order: Entry[] = [];

  constructor(private readonly opts: LaneOptions) {
    this.queues = Array.from({ length: opts.lanes }, () => []);
    this.workers = Array.from({ length: opts.lanes }, () => undefined);
  }

  /** Records read but not yet checkpointed (the reader's back-pressure). */
  get unsettled(): number {
    return this.order.length;
  }

  /** Queues records read from the shard; `skipped` ones count as settled (not delivered). */
  add(records: StreamRecord[], delivered: (r: StreamRecord) => boolean): void {
    for (const record of records) {
      const entry = { record, settled: !delivered(record) };
      this.order.push(entry);
      if (!entry.settled)
        this.queues[laneOf(record, this.opts.hashKey(), this.opts.lanes)]!.push(entry);
    }
    this.advance();
    this.queues.forEach((_, lane) => this.start(lane));
  }

  /** Resolves when some lane finishes its queue (or at once when none is busy). */
  async someIdle(): Promise<void> {
    const busy = this.workers.filter((w): w is Promise<void> => w !== undefined);
    if (busy.length > 0) await Promise.race(busy);
  }

  /** Resolves when every lane has finished (or stopped). */
  async idle(): Promise<void> {
    while (this.workers.some((w) => w)) await Promise.all(this.workers);
  }

  private start(lane: number): void {
    if (this.workers[lane] || this.queues[lane]!.length === 0) return;
    this.workers[lane] = this.run(lane).finally(() => (this.workers[lane] = undefined));
  }

  private async run(lane: number): Promise<void> {
    const queue = this.queues[lane]!;
    while (queue.length > 0) {
      const batch = queue.slice(0, this.opts.batchSize);
      if (!(await this.opts.deliver(batch.map((e) => e.record)))) return;
      queue.splice(0, batch.length);
      for (const e of batch) e.settled = true;
      this.advance();
    }
  }

  /** Checkpoints the longest settled prefix. */
  private advance(): void {
    let last: Entry | undefined;
    while (this.order[0]?.settled) last = this.order.shift();
    if (last) this.opts.checkpoint(last.record);
  }
}

/** The lane of a record: a hash of its partition key's value, so one key always gets one lane. */
export function laneOf(r: StreamRecord, hashKey: string | undefined, lanes: number): number {
  const key = hashKey ? r.dynamodb?.Keys?.[hashKey] : undefined;
  const text = key ? JSON.stringify(key) : (r.dynamodb?.SequenceNumber ?? '');
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}
