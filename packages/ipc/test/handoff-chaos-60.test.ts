// Randomized schedules of an accepted Connection or a Pipe() end handed to a worker thread or
// child Process in the middle of an exchange, the worker exiting or killed mid-message
// (handoff-chaos-60.ts says what a schedule does and checks). Full tier: MULTIPROC_CHAOS60_COUNT
// seeds (default 60); a failing schedule prints its seed, and MULTIPROC_CHAOS60_SEEDS=<seed>
// replays it (a comma list, or `from-to`).
import { describe, expect, it } from 'vitest';
import { seedList } from '../../../test-support/chaos.ts';
import { HANDOFF_SCHEDULE_LIMIT_MS, handoffSchedule } from './handoff-chaos-60.ts';

const list = seedList(process.env.MULTIPROC_CHAOS60_SEEDS, () => {
  const count = Number(process.env.MULTIPROC_CHAOS60_COUNT ?? 60);
  return Array.from({ length: count }, (_, i) => 6000 + i);
});

describe('a conversation handed to a worker mid-exchange under random deaths', () => {
  it(`echoes arrive intact and in order up to the worker's end, then EOFError (seeds ${list[0]}…, ${list.length})`, {
    timeout: list.length * (2 * HANDOFF_SCHEDULE_LIMIT_MS),
  }, async () => {
    const faults: string[] = [];
    const t0 = Date.now();
    for (const seed of list) {
      const found = await handoffSchedule(seed);
      for (const f of found.faults) console.log(`chaos60 handoff FAULT seed ${seed}: ${f}`);
      if (process.env.MULTIPROC_CHAOS60_VERBOSE)
        console.log(`chaos60 handoff seed ${seed}: ${JSON.stringify(found.config)}`);
      faults.push(...found.faults);
    }
    console.log(`chaos60 handoff: ${list.length} schedules in ${Date.now() - t0} ms`);
    expect(faults).toEqual([]);
  });
});
