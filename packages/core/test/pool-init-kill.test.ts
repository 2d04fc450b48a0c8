// A child worker killed from outside (SIGKILL) while the pool's initializer ran in it failed every
// call sent to it with WorkerCrashedError ("killed ... in the pool's initializer"), as if the
// initializer had failed. No task had started there, and nothing of the pool's failed, so those
// calls run on the replacement worker (CONTRACT, Pool), while an initializer that ends its worker
// itself (process.exit) still fails them (pool-failures case 3). Found by pool-chaos-57 (seed 5751).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/init-held-tasks.mjs';

const pools: Pool[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a worker killed from outside while the initializer runs', () => {
  it('fails none of the calls sent to it: they run on the replacement', { timeout: 20_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multiproc-init-kill-'));
    dirs.push(dir);
    const file = join(dir, 'runs');
    writeFileSync(file, '');
    // The second worker (maxTasksPerChild retires the first) gets the calls with its initializer.
    const pool = new Pool({
      processes: 1,
      context: 'process',
      maxTasksPerChild: 1,
      initializer: tasks.holdRun,
      initargs: [file, 1, 10_000],
    });
    pools.push(pool);
    expect(await pool.apply(tasks.triple, [1])).toBe(3);
    const calls = Promise.allSettled([
      pool.apply(tasks.triple, [2]),
      pool.map(tasks.triple, [1, 2], { chunksize: 1 }),
    ]);
    const held = () => readFileSync(file, 'utf8').split('\n').filter(Boolean)[1];
    while (held() === undefined) await new Promise((r) => setTimeout(r, 10));
    process.kill(Number(held()), 'SIGKILL');
    const results = await calls;
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([6, [3, 6]]);
  });
});
