// A worker killed from outside (a SIGKILL, Ctrl-C's SIGINT) while it starts was not refused by the
// system: the pool starts another after its delay, even when no worker is left, and gives up only
// after 10 × processes such kills in a row, counted apart from starts that fail by themselves
// (guide/errors.md, "Workers that cannot start"; it was 2 × processes, shared with those, until
// pool-outside-kills). The calls that had not started run on the next worker. Soak: a 1-worker 'process' pool whose
// replacement was SIGKILLed once while starting rejected every queued call.
import { Pool, WorkerCrashedError, WorkerStartError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { OUTSIDE_KILLS_PER_WORKER } from '../src/pool/start-policy.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/pool-start-tasks.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
});

/** A warm 1-worker pool that SIGKILLs the next `kills` workers it starts, as they start. */
async function killingPool(kills: number): Promise<{ pool: Pool; killed: () => number }> {
  const pool = new Pool({ processes: 1, context: 'process' });
  pools.push(pool);
  expect(await pool.apply(t.square, [2])).toBe(4);
  let killed = 0;
  pool.on('workerCreate', ({ pid }) => {
    if (killed >= kills) return;
    killed++;
    process.kill(pid, 'SIGKILL');
  });
  return { pool, killed: () => killed };
}

describe('a pool whose starting worker is killed from outside', () => {
  it('runs the calls that had not started on the next worker', { timeout: 30_000 }, async () => {
    const { pool, killed } = await killingPool(1);
    const crash = pool.apply(t.exit, [1]);
    const queued = [1, 2, 3, 4, 5].map((x) => pool.apply(t.square, [x]));
    await expect(crash).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await Promise.all(queued)).toEqual([1, 4, 9, 16, 25]);
    expect(killed()).toBe(1);
  });

  it('rejects the waiting calls after 10 × processes such starts in a row', { timeout: 30_000 }, async () => {
    const { pool, killed } = await killingPool(Number.POSITIVE_INFINITY);
    const crash = pool.apply(t.exit, [1]);
    const queued = pool.apply(t.square, [3]);
    await expect(crash).rejects.toBeInstanceOf(WorkerCrashedError);
    const error = await queued.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkerStartError);
    expect((error as Error).message).toContain('killed by SIGKILL while starting');
    expect((error as Error).message).toContain(
      `the last of ${OUTSIDE_KILLS_PER_WORKER} workers in a row killed from outside as they started`,
    );
    expect(killed()).toBe(OUTSIDE_KILLS_PER_WORKER);
    // The next call starts a worker again (this one is spared).
    pool.removeAllListeners('workerCreate');
    expect(await pool.apply(t.square, [4])).toBe(16);
  });
});
