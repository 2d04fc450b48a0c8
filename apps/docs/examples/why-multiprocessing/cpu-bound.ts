// cpu-bound.ts: the same CPU-bound work, first in one thread, then on a pool of every core.
import { Barrier, cpuCount, defineTasks, isMain, Pool } from '@multiproc/multiproc';

/** Counts the primes below n, slowly on purpose: pure CPU work, no I/O. */
function countPrimes(n: number): number {
  let count = 0;
  for (let i = 2; i < n; i++) {
    let prime = true;
    for (let d = 2; d * d <= i; d++) {
      if (i % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

export const tasks = defineTasks(import.meta.url, {
  countPrimes,
  /** Holds its worker until every worker has one: each worker imports this module once, untimed. */
  warmUp: async (barrier: Barrier) => {
    await barrier.wait(30_000);
  },
});

if (isMain()) {
  const inputs = Array.from({ length: 8 }, () => 600_000);

  let t = performance.now();
  const serial = inputs.map(countPrimes); // one core: the event loop is blocked meanwhile
  const serialMs = performance.now() - t;

  const processes = cpuCount();
  const pool = new Pool({ processes });
  try {
    // Start every worker before timing: each one takes exactly one warmUp.
    const barrier = new Barrier(processes);
    await pool.map(tasks.warmUp, Array(processes).fill(barrier), { chunksize: 1 });
    t = performance.now();
    const parallel = await pool.map(tasks.countPrimes, inputs);
    const parallelMs = performance.now() - t;
    console.log('same results:', JSON.stringify(serial) === JSON.stringify(parallel));
    console.log(`${cpuCount()} cores: ${(serialMs / parallelMs).toFixed(1)}x faster`);
  } finally {
    await pool.terminate();
  }
}

// Output:
// same results: true
// … cores: …x faster
