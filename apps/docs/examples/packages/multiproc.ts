// multiproc.ts: the umbrella's default export reads like `import multiprocessing as mp`.
import mp, { defineTasks } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, { square: (x: number) => x ** 2 });

if (mp.isMain()) {
  const pool = new mp.Pool({ processes: 4 });
  try {
    console.log(await pool.map(tasks.square, [1, 2, 3, 4]));
  } finally {
    await pool.terminate();
  }
}

// Output:
// [ 1, 4, 9, 16 ]
