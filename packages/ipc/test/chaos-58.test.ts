// Randomized schedules of producers and consumers in both contexts, dying at random moments,
// against the delivery promises of queues and pipes (chaos-58.ts says what a schedule does and
// checks). CI runs a few fixed seeds; the full tier runs MULTIPROC_CHAOS58_COUNT seeds (default
// 60). A failing schedule prints its seed: MULTIPROC_CHAOS58_SEEDS=<seed> replays it (a comma
// list, or `from-to`), in either tier.
import { describe, expect, it } from 'vitest';
import { seedList } from '../../../test-support/chaos.ts';
import { SCHEDULE_LIMIT_MS, schedule } from './chaos-58.ts';

const FULL = process.env.MULTIPROC_TESTS === 'full';

function seeds(): number[] {
  return seedList(process.env.MULTIPROC_CHAOS58_SEEDS, () => {
    if (!FULL) return [5801, 5802, 5803];
    const count = Number(process.env.MULTIPROC_CHAOS58_COUNT ?? 60);
    return Array.from({ length: count }, (_, i) => 5800 + i);
  });
}

describe('queues and pipes under random schedules of both contexts', () => {
  const list = seeds();
  it(`every value arrives once, in order, as its producer's end promises; nothing hangs or is left (seeds ${list[0]}…, ${list.length})`, {
    timeout: list.length * (3 * SCHEDULE_LIMIT_MS),
  }, async () => {
    const faults: string[] = [];
    const t0 = Date.now();
    for (const seed of list) {
      const found = await schedule(seed);
      for (const e of found.edges) console.log(`chaos58 edge seed ${seed}: ${e}`);
      for (const f of found.faults) console.log(`chaos58 FAULT seed ${seed}: ${f}`);
      if (process.env.MULTIPROC_CHAOS58_VERBOSE)
        console.log(`chaos58 seed ${seed}: ${JSON.stringify(found.config)}`);
      faults.push(...found.faults);
    }
    console.log(`chaos58: ${list.length} schedules in ${Date.now() - t0} ms`);
    expect(faults).toEqual([]);
  });
});
