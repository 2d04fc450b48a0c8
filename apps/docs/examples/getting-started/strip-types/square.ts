// square.ts: run with `node square.ts` (Node 22.18+ and 24 strip the types themselves; under "type": "commonjs", as `npm init -y` writes, name it square.mts)
// needs: node >= 22.18
import { defineTasks, isMain, Pool } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  square: (x: number) => x ** 2,
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
