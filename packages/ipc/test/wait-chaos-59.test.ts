// Randomized schedules of wait() on pipes and queues, some with a schema, whose senders in both
// contexts pause, send values the schema refuses, and end by returning, exiting or SIGKILL
// (wait-chaos-59.ts says what a schedule does and checks). Full tier: MULTIPROC_CHAOS59_COUNT
// seeds (default 60); a failing schedule prints its seed, and MULTIPROC_CHAOS59_SEEDS=<seed>
// replays it (a comma list, or `from-to`).
import { describe, expect, it } from 'vitest';
import { seedList } from '../../../test-support/chaos.ts';
import { WAIT_SCHEDULE_LIMIT_MS, waitSchedule } from './wait-chaos-59.ts';

const list = seedList(process.env.MULTIPROC_CHAOS59_SEEDS, () => {
  const count = Number(process.env.MULTIPROC_CHAOS59_COUNT ?? 60);
  return Array.from({ length: count }, (_, i) => 5900 + i);
});

describe('wait() on pipes and queues under random schedules of senders', () => {
  it(`a ready source gives at once, timeouts are not early, values arrive in order, bad ones as ValidationError (seeds ${list[0]}…, ${list.length})`, {
    timeout: list.length * (2 * WAIT_SCHEDULE_LIMIT_MS),
  }, async () => {
    const faults: string[] = [];
    const t0 = Date.now();
    for (const seed of list) {
      const found = await waitSchedule(seed);
      for (const f of found.faults) console.log(`chaos59 wait FAULT seed ${seed}: ${f}`);
      if (process.env.MULTIPROC_CHAOS59_VERBOSE)
        console.log(`chaos59 wait seed ${seed}: ${JSON.stringify(found.config)}`);
      faults.push(...found.faults);
    }
    console.log(`chaos59 wait: ${list.length} schedules in ${Date.now() - t0} ms`);
    expect(faults).toEqual([]);
  });
});
