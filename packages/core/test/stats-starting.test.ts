// `pool.stats().workers` read 0 right after `new Pool()` while its workers started (a thread pool
// read 0 after a setImmediate and 2 after 300 ms), as if the pool had none. It now counts them from
// the start, and `starting` says how many of them are not ready for a task yet, as Python's Pool()
// has started its processes when it returns. A pool that starts workers on demand
// (`minProcesses: 0`) says 0, and a terminated one 0.
import { Pool } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/arity-tasks.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
});

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe.each(['thread', 'process'] as const)('stats() of a new %s pool', (context) => {
  it('counts the workers it is starting, then says they are ready', { timeout: 30_000 }, async () => {
    const pool = new Pool({ processes: 2, context });
    pools.push(pool);
    expect(pool.stats()).toMatchObject({ workers: 2, starting: 2, busy: 0, queued: 0 });
    await turn();
    expect(pool.stats()).toMatchObject({ workers: 2, starting: 2 });
    // Until both are ready, the pool never reads as having no workers. Polled: the workers say
    // when they are ready, and the test asks until they have (bounded by the test's timeout).
    const seen = new Set<string>();
    for (let stats = pool.stats(); stats.starting > 0; stats = pool.stats()) {
      seen.add(`${stats.workers}/${stats.starting}`);
      expect(stats.workers).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect([...seen].every((s) => s === '2/2' || s === '2/1')).toBe(true);
    expect(pool.stats()).toMatchObject({ workers: 2, starting: 0 });
    expect(await pool.map(tasks.nap, [1, 1], { chunksize: 1 })).toEqual([undefined, undefined]);
    expect(pool.stats()).toMatchObject({ workers: 2, starting: 0, completed: 2 });
    await pool.terminate();
    expect(pool.stats()).toMatchObject({ workers: 0, starting: 0 });
  });

  it('says 0 for a pool that starts its workers on demand, and after terminate()', {
    timeout: 30_000,
  }, async () => {
    const lazy = new Pool({ processes: 2, minProcesses: 0, context });
    pools.push(lazy);
    expect(lazy.stats()).toMatchObject({ workers: 0, starting: 0 });
    const gone = new Pool({ processes: 2, context });
    pools.push(gone);
    const terminated = gone.terminate();
    expect(gone.stats()).toMatchObject({ workers: 0, starting: 0 });
    await terminated;
    expect(gone.stats()).toMatchObject({ workers: 0, starting: 0 });
    // A call on the lazy pool starts one; the counts never exceed processes.
    expect(await lazy.apply(tasks.nap, [1])).toBeUndefined();
    const { workers, starting } = lazy.stats();
    expect(workers).toBeGreaterThanOrEqual(1);
    expect(workers).toBeLessThanOrEqual(2);
    expect(starting).toBeLessThanOrEqual(workers);
  });
});
