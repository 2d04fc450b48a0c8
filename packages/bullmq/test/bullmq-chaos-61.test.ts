// The randomized schedules of bullmq-chaos-61.ts (a Pool on a real Redis and real worker
// processes, workers and Redis killed, stopped and restarted under its calls). Full tier: a
// failing schedule prints its seed and config; MULTIPROC_CHAOS61_SEEDS=<seed> replays it (a comma
// list, or `from-to`), MULTIPROC_CHAOS61_COUNT=<n> runs n seeds (default 20),
// MULTIPROC_CHAOS61_BUSY=1 keeps the other core busy meanwhile, MULTIPROC_CHAOS61_TRACE=1 logs
// each step.
//
// Open faults these schedules found (not fixed yet; the default seeds avoid them, replay them by seed):
// - 6323: a Redis with persistence restarted twice under imapUnordered calls with large results
//   (over 64 KiB): a call rejects with RedisConnectionError "The result of job ... is gone from Redis
//   before this pool read it", though the guide promises that a pool on a Redis that keeps its data
//   goes on. Seen in 2 of 8 runs, under load (another core busy); not in the runs after.
// - 6313 (some runs), 6404 (on Node 22): terminate() while a frozen Redis (SIGSTOP, under 3 s) holds a map's large
//   result: once Redis is thawed the worker's write of `<keyPrefix>result:<job>` lands after the
//   pool's cleanup, and the key stays (for its one-hour expiry) after the pool and its workers are gone.
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
