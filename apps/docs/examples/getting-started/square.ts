// square.ts: run with `npx tsx square.ts`
import { defineTasks, isMain, Pool } from '@multiproc/multiproc';

// A task is a top-level function registered under this module's URL: a worker imports this
// file again (so this line runs there too) and calls the function by name.
export const tasks = defineTasks(import.meta.url, {
  square: (x: number) => x ** 2,
});

// Python: if __name__ == '__main__':
if (isMain()) {
  const pool = new Pool({ processes: 4 });
  try {
    console.log(await pool.map(tasks.square, [1, 2, 3, 4, 5]));
  } finally {
    await pool.terminate(); // what Python's `with Pool() as pool:` does on leaving the block
  }
}

// Output:
// [ 1, 4, 9, 16, 25 ]
