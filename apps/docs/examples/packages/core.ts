// core.ts: @multiproc/core alone: Process, Pool, task references.
import { defineTasks, isMain, Pool, Process } from '@multiproc/core';

export const tasks = defineTasks(import.meta.url, {
  square: (x: number) => x ** 2,
  hello: (name: string) => console.log(`hello ${name}`),
});

if (isMain()) {
  const p = new Process({ target: tasks.hello, args: ['core'] });
  const pool = new Pool({ processes: 2 });
  try {
    p.start();
    await p.join();
    console.log(await pool.map(tasks.square, [1, 2, 3]));
  } finally {
    await p.terminate();
    await pool.terminate();
  }
}

// Output:
// hello core
// [ 1, 4, 9 ]
