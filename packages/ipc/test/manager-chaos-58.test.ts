// Randomized schedules of manager clients in both contexts dying at random moments, holding the
// manager's Lock or not (manager-chaos-58.ts says what a schedule does and checks). CI runs a few
// fixed seeds; the full tier runs MULTIPROC_CHAOS58_COUNT seeds (default 60).
// MULTIPROC_CHAOS58_SEEDS=<seed> replays one (a comma list, or `from-to`), in either tier.
import { describe, expect, it } from 'vitest';
import { seedList } from '../../../test-support/chaos.ts';
import { MANAGER_SCHEDULE_LIMIT_MS, managerSchedule } from './manager-chaos-58.ts';

const FULL = process.env.MULTIPROC_TESTS === 'full';

function seeds(): number[] {
  return seedList(process.env.MULTIPROC_CHAOS58_SEEDS, () => {
    if (!FULL) return [5801, 5802];
    const count = Number(process.env.MULTIPROC_CHAOS58_COUNT ?? 60);
    return Array.from({ length: count }, (_, i) => 5800 + i);
  });
}

describe('a manager under random schedules of clients in both contexts', () => {
  const list = seeds();
  it(`the lock excludes and is freed from failed holders; every update is kept once; nothing hangs (seeds ${list[0]}…, ${list.length})`, {
    timeout: list.length * (2 * MANAGER_SCHEDULE_LIMIT_MS),
  }, async () => {
    const faults: string[] = [];
    const t0 = Date.now();
    for (const seed of list) {
      const found = await managerSchedule(seed);
      for (const f of found.faults) console.log(`chaos58 manager FAULT seed ${seed}: ${f}`);
      if (process.env.MULTIPROC_CHAOS58_VERBOSE)
        console.log(`chaos58 manager seed ${seed}: ${JSON.stringify(found.config)}`);
      faults.push(...found.faults);
    }
    console.log(`chaos58 manager: ${list.length} schedules in ${Date.now() - t0} ms`);
    expect(faults).toEqual([]);
  });
});
