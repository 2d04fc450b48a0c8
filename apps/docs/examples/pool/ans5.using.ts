// ans5.using.ts: the same with `await using` (TypeScript/tsx, or Node 24).
import { defineTasks, isMain, Pool } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  workerFunction: (arg: number) => arg ** 2,
});

if (isMain()) {
  await using pool = new Pool({ processes: 4 }); // terminated when the block ends
  const results = await pool.map(tasks.workerFunction, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  console.log(results);
}

// Output:
// [
//    1,  4,  9, 16,  25,
//   36, 49, 64, 81, 100
// ]
