// Workers killed from outside (SIGKILL from another program, the kernel's out-of-memory killer)
// failed innocent calls: (a) with `processes: 1`, two workers SIGKILLed in a row as they started
// made the pool give up and reject every waiting call with WorkerStartError; (b) a call in flight,
// not started, in 3 workers killed from outside failed with WorkerCrashedError. Such kills are now
// counted apart from a start or a call that fails by itself, with a bound of 10 × processes
// (CONTRACT, Pool: only the calls a dead worker was running fail). Found by pool-chaos-57 (seeds
// 5707, 5722, 6042; 5718).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, WorkerCrashedError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as held } from './fixtures/init-held-tasks.mjs';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/pool-start-tasks.mjs';

const pools: Pool[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a 1-worker process pool whose workers are killed from outside', () => {
  it('runs the waiting calls once the starting worker was SIGKILLed 4 times', {
    timeout: 30_000,
  }, async () => {
    const pool = new Pool({ processes: 1, context: 'process' });
    pools.push(pool);
    expect(await pool.apply(t.square, [2])).toBe(4);
    let killed = 0;
    pool.on('workerCreate', ({ pid }) => {
      if (killed >= 4) return;
      killed++;
      process.kill(pid, 'SIGKILL');
    });
    const crash = pool.apply(t.exit, [1]);
    const queued = [1, 2, 3].map((x) => pool.apply(t.square, [x]));
    await expect(crash).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await Promise.all(queued)).toEqual([1, 4, 9]);
    expect(killed).toBe(4);
  });

  it('runs the calls held by 4 workers SIGKILLed in the initializer', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multiproc-outside-kills-'));
    dirs.push(dir);
    const file = join(dir, 'runs');
    writeFileSync(file, '');
    // Runs 1 to 4 of the initializer hold their worker (maxTasksPerChild retires the first).
    const pool = new Pool({
      processes: 1,
      context: 'process',
      maxTasksPerChild: 1,
      initializer: held.holdRuns,
      initargs: [file, 1, 5, 10_000],
    });
    pools.push(pool);
    expect(await pool.apply(held.triple, [1])).toBe(3);
    const calls = Promise.allSettled([pool.apply(held.triple, [2]), pool.apply(held.triple, [3])]);
    const runs = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);
    for (let run = 1; run <= 4; run++) {
      while (runs()[run] === undefined) await new Promise((r) => setTimeout(r, 10));
      process.kill(Number(runs()[run]), 'SIGKILL');
    }
    const results = await calls;
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([6, 9]);
  });
});
