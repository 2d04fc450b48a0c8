// ans5.ts: Python's Ans5, a pool of 4 workers squaring ten numbers.
import { defineTasks, isMain, Pool } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  workerFunction: (arg: number) => arg ** 2,
});

if (isMain()) {
  // Create a pool of 4 workers
  const pool = new Pool({ processes: 4 });
  try {
    // The arguments to pass to the worker function, one per call
    const args = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    // Spread the work over the workers; results come back in input order
    const results = await pool.map(tasks.workerFunction, args);
    // No more tasks; wait for the workers to finish and stop
    pool.close();
    await pool.join();
    console.log(results);
  } finally {
    await pool.terminate(); // only matters if something above threw
  }
}

// Output:
// [
//    1,  4,  9, 16,  25,
//   36, 49, 64, 81, 100
// ]
