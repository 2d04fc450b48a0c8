// square.using.ts: run with `npx tsx square.using.ts` (or Node 24 on compiled JavaScript)
import { defineTasks, isMain, Pool } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  square: (x: number) => x ** 2,
});

if (isMain()) {
  // `await using` terminates the pool when the block ends, like Python's `with Pool() as pool:`.
  await using pool = new Pool({ processes: 4 });
  console.log(await pool.map(tasks.square, [1, 2, 3, 4, 5]));
}

// Output:
// [ 1, 4, 9, 16, 25 ]
