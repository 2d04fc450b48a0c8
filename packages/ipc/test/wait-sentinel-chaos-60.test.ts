// Randomized schedules of wait() over Processes and their sentinels, of both contexts, that end by
// returning, exiting, throwing, SIGKILL or terminate(), beside pipes and queues, and Processes never
// started (wait-sentinel-chaos-60.ts says what a schedule does and checks). Full tier:
// MULTIPROC_CHAOS60_COUNT seeds (default 60); a failing schedule prints its seed, and
// MULTIPROC_CHAOS60_SEEDS=<seed> replays it (a comma list, or `from-to`).
import { describe, expect, it } from 'vitest';
import { seedList } from '../../../test-support/chaos.ts';
import { SENTINEL_SCHEDULE_LIMIT_MS, sentinelSchedule } from './wait-sentinel-chaos-60.ts';

const list = seedList(process.env.MULTIPROC_CHAOS60_SEEDS, () => {
  const count = Number(process.env.MULTIPROC_CHAOS60_COUNT ?? 60);
  return Array.from({ length: count }, (_, i) => 6000 + i);
});

describe('wait() on Process sentinels under random schedules of ends', () => {
  it(`reports an ended Process at once and only then, with its exit code; a Process never started fails the call (seeds ${list[0]}…, ${list.length})`, {
    timeout: list.length * (2 * SENTINEL_SCHEDULE_LIMIT_MS),
  }, async () => {
    const faults: string[] = [];
    const t0 = Date.now();
    for (const seed of list) {
      const found = await sentinelSchedule(seed);
      for (const f of found.faults) console.log(`chaos60 sentinel FAULT seed ${seed}: ${f}`);
      if (process.env.MULTIPROC_CHAOS60_VERBOSE)
        console.log(`chaos60 sentinel seed ${seed}: ${JSON.stringify(found.config)}`);
      faults.push(...found.faults);
    }
    console.log(`chaos60 sentinel: ${list.length} schedules in ${Date.now() - t0} ms`);
    expect(faults).toEqual([]);
  });
});
