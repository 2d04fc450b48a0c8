// Randomized schedules of Listener/Client with an authkey: right, wrong and missing keys, clients
// dying mid-handshake or killed with SIGKILL at random moments, many at once, messages of random
// kinds and sizes, the Listener closed at a random moment (listener-chaos-59.ts says what a
// schedule does and checks). Full tier: MULTIPROC_CHAOS59_COUNT seeds (default 60); a failing
// schedule prints its seed, and MULTIPROC_CHAOS59_SEEDS=<seed> replays it (a comma list, or `from-to`).
import { describe, expect, it } from 'vitest';
import { seedList } from '../../../test-support/chaos.ts';
import { LISTENER_SCHEDULE_LIMIT_MS, listenerSchedule } from './listener-chaos-59.ts';

const list = seedList(process.env.MULTIPROC_CHAOS59_SEEDS, () => {
  const count = Number(process.env.MULTIPROC_CHAOS59_COUNT ?? 60);
  return Array.from({ length: count }, (_, i) => 5900 + i);
});

describe('Listener and Client under random schedules of clients, keys and deaths', () => {
  it(`accepts only the right key, echoes intact, ends every wait with its named error (seeds ${list[0]}…, ${list.length})`, {
    timeout: list.length * (2 * LISTENER_SCHEDULE_LIMIT_MS),
  }, async () => {
    const faults: string[] = [];
    const t0 = Date.now();
    for (const seed of list) {
      const found = await listenerSchedule(seed);
      for (const f of found.faults) console.log(`chaos59 listener FAULT seed ${seed}: ${f}`);
      if (process.env.MULTIPROC_CHAOS59_VERBOSE)
        console.log(`chaos59 listener seed ${seed}: ${JSON.stringify(found.config)}`);
      faults.push(...found.faults);
    }
    console.log(`chaos59 listener: ${list.length} schedules in ${Date.now() - t0} ms`);
    expect(faults).toEqual([]);
  });
});
