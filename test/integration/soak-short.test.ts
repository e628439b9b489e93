/**
 * The short version of `npm run soak`: one phase (DynamoDB Local stalled mid-load), with
 * writers and both subscribers, through the same runner and checker as the script.
 */
import { describe, expect, it } from 'vitest';
import { PHASES } from '../../scripts/lib/soak/faults.ts';
import { runPhase } from '../../scripts/lib/soak/run-phase.ts';

describe('soak (short)', () => {
  it('loses and repeats nothing while DynamoDB Local is stalled under load', async () => {
    const phase = PHASES.find((p) => p.name === 'dynamodb-stall')!;
    const r = await runPhase(phase, {
      beforeMs: 3000,
      faultMs: 3000,
      afterMs: 3000,
      dropEveryMs: 1500,
      catchUpMs: 20_000,
      writers: 4,
    });
    console.log(`soak-short: ${JSON.stringify({ ...r, checks: undefined })}`);
    // The checker checked something: writes were acknowledged and the dropper really dropped.
    expect(r.acknowledged).toBeGreaterThan(0);
    expect(r.subscribers.find((s) => s.name === 'dropping')!.drops).toBeGreaterThan(0);
    expect({
      missing: r.missing,
      duplicated: r.duplicated,
      versionErrors: r.versionErrors,
      duplicateHistoryIds: r.duplicateHistoryIds,
      status500: r.status500.total,
      subscribers: r.subscribers.map((s) => [s.missing, s.duplicated]),
    }).toEqual({
      missing: 0,
      duplicated: 0,
      versionErrors: 0,
      duplicateHistoryIds: 0,
      status500: 0,
      subscribers: [
        [0, 0],
        [0, 0],
      ],
    });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  }, 60_000);
});
