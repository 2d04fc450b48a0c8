// The randomized schedules of bullmq-chaos-61.ts (a Pool on a real Redis and real worker
// processes, workers and Redis killed, stopped and restarted under its calls). Full tier: a
// failing schedule prints its seed and config; MULTIPROC_CHAOS61_SEEDS=<seed> replays it (a comma
// list, or `from-to`), MULTIPROC_CHAOS61_COUNT=<n> runs n seeds (default 20),
// MULTIPROC_CHAOS61_BUSY=1 keeps the other core busy meanwhile, MULTIPROC_CHAOS61_TRACE=1 logs
// each step.
import { afterAll, describe, expect, it } from 'vitest';
import { seedList } from '../../../test-support/chaos.ts';
import { busyCore, LIMIT_MS, schedule } from './bullmq-chaos-61.js';
import { redisMissing } from './redis.js';

const seeds = seedList(process.env.MULTIPROC_CHAOS61_SEEDS, () => {
  const count = Number(process.env.MULTIPROC_CHAOS61_COUNT ?? 20);
  return Array.from({ length: count }, (_, i) => 6100 + i);
});
const stopBusy = process.env.MULTIPROC_CHAOS61_BUSY ? busyCore() : undefined;
afterAll(() => stopBusy?.());

describe.skipIf(redisMissing)('bullmq chaos 61', () => {
  it.each(seeds)(
    'seed %i: every call settles once, rightly; nothing is left',
    async (seed) => {
      const faults = await schedule(seed, { trace: Boolean(process.env.MULTIPROC_CHAOS61_TRACE) });
      if (faults.length > 0) console.log(`bullmq-chaos-61 seed ${seed}:\n${faults.join('\n')}`);
      expect(faults).toEqual([]);
    },
    LIMIT_MS * 4,
  );
});
