// app.mjs: the program to bundle (the getting-started pool).
import { defineTasks, isMain, Pool } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, { square: (x) => x ** 2 });

if (isMain()) {
  const pool = new Pool({ processes: 2 });
  try {
    console.log(await pool.map(tasks.square, [1, 2, 3]));
  } finally {
    await pool.terminate();
  }
}
