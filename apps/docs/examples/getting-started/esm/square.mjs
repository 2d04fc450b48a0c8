// square.mjs: run with `node square.mjs` (plain JavaScript, any Node 20.19+)
import { defineTasks, isMain, Pool } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  square: (x) => x ** 2,
});

if (isMain()) {
  const pool = new Pool({ processes: 4 });
  try {
    console.log(await pool.map(tasks.square, [1, 2, 3, 4, 5]));
  } finally {
    await pool.terminate();
  }
}

// Output:
// [ 1, 4, 9, 16, 25 ]
