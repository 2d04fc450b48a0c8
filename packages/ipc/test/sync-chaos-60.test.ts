// Randomized schedules of Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event, Barrier and
// Value with its lock, on shared memory across worker threads or a manager's across threads and
// processes, whose parties die at random moments, holding or waiting (sync-chaos-60.ts says what a
// schedule does and checks). Full tier: MULTIPROC_CHAOS60_COUNT seeds (default 60); a failing
// schedule prints its seed, and MULTIPROC_CHAOS60_SEEDS=<seed> replays it (a comma list, or `from-to`).
import { describe, expect, it } from 'vitest';
import { seedList } from '../../../test-support/chaos.ts';
import { SYNC_SCHEDULE_LIMIT_MS, syncSchedule } from './sync-chaos-60.ts';

const list = seedList(process.env.MULTIPROC_CHAOS60_SEEDS, () => {
  const count = Number(process.env.MULTIPROC_CHAOS60_COUNT ?? 60);
  return Array.from({ length: count }, (_, i) => 6000 + i);
});

describe('synchronization primitives under random schedules of parties that die', () => {
  it(`what a dead party held is given back, no waiter hangs, no timeout ends early (seeds ${list[0]}…, ${list.length})`, {
    timeout: list.length * (2 * SYNC_SCHEDULE_LIMIT_MS),
  }, async () => {
    const faults: string[] = [];
    const t0 = Date.now();
    for (const seed of list) {
      const found = await syncSchedule(seed);
      for (const f of found.faults) console.log(`chaos60 sync FAULT seed ${seed}: ${f}`);
      if (process.env.MULTIPROC_CHAOS60_VERBOSE)
        console.log(`chaos60 sync seed ${seed}: ${JSON.stringify(found.config)}`);
      faults.push(...found.faults);
    }
    console.log(`chaos60 sync: ${list.length} schedules in ${Date.now() - t0} ms`);
    expect(faults).toEqual([]);
  });
});
