// initializer.ts: run setup once per worker; replace workers after a number of tasks.
import { defineTasks, isMain, Pool } from '@multiproc/multiproc';

let greeting = 'not initialised';

export const tasks = defineTasks(import.meta.url, {
  init: (word: string) => {
    greeting = word; // module state in the worker, set once before its first task
  },
  greet: (name: string) => `${greeting}, ${name}`,
});

if (isMain()) {
  const pool = new Pool({
    processes: 2,
    initializer: tasks.init,
    initargs: ['hello'],
    maxTasksPerChild: 10, // a worker is replaced (and initialised again) after 10 tasks
  });
  try {
    console.log(await pool.map(tasks.greet, ['ada', 'alan'], { chunksize: 1 }));
  } finally {
    await pool.terminate();
  }
}

// Output:
// [ 'hello, ada', 'hello, alan' ]
