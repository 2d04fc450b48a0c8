// warm-up.ts: each worker imports the task module at its first task; warm every worker before calls with short timeouts.
import { Barrier, defineTasks, isMain, Pool } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  /** Holds its worker until every worker has one, so that each worker runs exactly one. */
  warmUp: async (barrier: Barrier) => {
    await barrier.wait(30_000);
  },
  square: (x: number) => x * x,
});

if (isMain()) {
  const processes = 2;
  const pool = new Pool({ processes });
  try {
    // The first task of each worker waits for its import of this module (seconds under tsx).
    const barrier = new Barrier(processes);
    await pool.map(tasks.warmUp, Array(processes).fill(barrier), { chunksize: 1 });
    // Every worker has imported it: a short timeout now bounds only the task itself.
    console.log(await pool.map(tasks.square, [1, 2, 3], { timeout: 1000 }));
  } finally {
    await pool.terminate();
  }
}

// Output:
// [ 1, 4, 9 ]
