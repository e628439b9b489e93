/**
 * The numbers behind gap-free resume (docs/reliability.md, "Resume", has the argument).
 *
 * History ids are reserved per batch, and batches of different shards (or lanes of one shard)
 * commit and broadcast in any order, so "every id above the last one received" can miss a
 * lower id that was posted after it. Instead, every post of a record to any connection starts
 * at most `POST_STAMP_BOUND_MS` after the record's persisted position (the broadcaster and the
 * resume's catch-up move a stale position forward before posting), and a post lasts at most
 * `POST_DURATION_BOUND_MS`. A resume therefore replays every record positioned no earlier than
 * `RESUME_OVERLAP_MS` before the position of the id the client sends, plus every higher id;
 * what the client already had it drops by history_id.
 */

/** A record whose position is older than this is restamped before it is posted. */
export const RESTAMP_AFTER_MS = 2_000;

/**
 * The HistoryWriter stamps a record's `pos` at most this long after it began reserving the
 * record's id (history-processor.ts checks; past it, the record is retried with a new id). Ids
 * are reserved in order, so below an id whose stamp is more than this before a position, every
 * record's stamp is before that position too: the replay's walk down the ids stops there.
 */
export const ID_TO_STAMP_BOUND_MS = 20_000;

/** The post client's own bound: 2 attempts × (0.5 s connect + 1.5 s request), plus backoff. */
export const POST_DURATION_BOUND_MS = 4_500;

/** How late a post can start after its position: restamp threshold + one post round. */
export const POST_STAMP_BOUND_MS = RESTAMP_AFTER_MS + POST_DURATION_BOUND_MS;

/** Clock difference between two hosts that stamp positions (NTP keeps Lambda hosts far closer). */
export const CLOCK_SKEW_MS = 500;

/**
 * The replay window before the client's position: a missed record can be positioned up to
 * POST_STAMP_BOUND + POST_DURATION + 2 skews before the last record received, and the id the
 * client sends (its highest, not necessarily its last) up to the same amount after it.
 */
export const RESUME_OVERLAP_MS =
  2 * (POST_STAMP_BOUND_MS + POST_DURATION_BOUND_MS) + 4 * CLOCK_SKEW_MS;

/** Whether a record last made visible at `position` must be restamped before a post at `now`. */
export const isStale = (position: number | undefined, now: number): boolean =>
  position === undefined || now - position > RESTAMP_AFTER_MS;

/**
 * The most records of the overlap (lower ids than the one sent, positioned inside the window) a
 * resume sends. They are bounded by the change rate × RESUME_OVERLAP_MS (24 s; 4,800 at 200
 * changes/s) and do not count against MAX_REPLAY, the limit on records newer than the one sent:
 * otherwise every resume above ~40 changes/s would answer ResumeTooFar. Past this, it does.
 */
export const MAX_OVERLAP = 6_000;
