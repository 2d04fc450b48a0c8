// A thread killed or terminated at a random moment of a hot loop on a Semaphore or a Barrier: its
// death must never strand the others. A permit it took is given back, also when it was killed in
// the instant between taking the permit and recording it (the permit was lost for good in about 1
// run of 4); a barrier it passed through breaks for the others, also when it was killed after its
// cycle released it and before its wait returned (the others waited forever in every run).
import { Process } from '@multiproc/core';
import { Barrier, Semaphore } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/owner-loops.mjs';

const RUNS = 6;
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f().catch(() => {})));
});

/** Starts three thread workers on `target`; resolves once worker 0 passed `rounds` rounds. */
async function startThree(target: typeof tasks.semaphoreLoop, prim: unknown, rounds: number) {
  const flags = new Int32Array(new SharedArrayBuffer(16));
  const ps = [0, 1, 2].map((me) => new Process({ target, args: [prim, flags, me], context: 'thread' }));
  for (const p of ps) {
    cleanup.push(() => p.terminate());
    p.start();
  }
  const t0 = Date.now();
  while (Atomics.load(flags, 1) < rounds && Date.now() - t0 < 30_000)
    await new Promise((r) => setTimeout(r, 1));
  return { ps, flags };
}

async function end(p: Process, how: 'kill' | 'terminate') {
  if (how === 'kill') p.kill();
  else await p.terminate();
}

describe('a thread killed at a random moment of a hot loop', { timeout: 240_000 }, () => {
  it('on a Semaphore(1): the others go on, and the permit is free at the end', async () => {
    for (let run = 0; run < RUNS; run++) {
      const sem = new Semaphore(1);
      const { ps, flags } = await startThree(
        tasks.semaphoreLoop,
        sem,
        200 + Math.floor(Math.random() * 3000),
      );
      const before = [Atomics.load(flags, 2), Atomics.load(flags, 3)];
      await end(ps[0]!, run % 2 ? 'kill' : 'terminate');
      const t0 = Date.now();
      // The survivors must make progress after the death, then stop when told.
      while (
        (Atomics.load(flags, 2) <= before[0]! || Atomics.load(flags, 3) <= before[1]!) &&
        Date.now() - t0 < 20_000
      )
        await new Promise((r) => setTimeout(r, 5));
      Atomics.store(flags, 0, 1);
      await Promise.all([ps[1]!.join(20_000), ps[2]!.join(20_000)]);
      expect([ps[1]!.exitCode, ps[2]!.exitCode], `run ${run}`).toEqual([0, 0]);
      expect(await sem.acquire({ timeout: 5000 }), `run ${run}: the permit is free`).toBe(true);
    }
  });

  it('on a Barrier(3): the others get BrokenBarrierError', async () => {
    for (let run = 0; run < RUNS; run++) {
      const bar = new Barrier(3);
      const { ps } = await startThree(tasks.barrierLoop, bar, 100 + Math.floor(Math.random() * 1500));
      await end(ps[0]!, run % 2 ? 'kill' : 'terminate');
      await Promise.all([ps[1]!.join(20_000), ps[2]!.join(20_000)]);
      expect([ps[1]!.exitCode, ps[2]!.exitCode], `run ${run}: both left the barrier`).toEqual([0, 0]);
      expect(bar.broken).toBe(true);
    }
  });
});
