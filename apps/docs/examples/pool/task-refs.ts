// task-refs.ts: task references are functions: call one here, or send it to a task that calls it.
import { isMain, Pool, type TaskRef } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  // Called directly, a reference runs its function in this thread, like the function itself.
  console.log(tasks.add.name, tasks.add(2, 3));
  const pool = new Pool({ processes: 2 });
  try {
    // Sent as an argument (or through a Queue), it arrives callable in the worker, with its name.
    const jobs: [TaskRef<(...args: number[]) => number>, number[]][] = [
      [tasks.add, [1, 2]],
      [tasks.square, [7]],
    ];
    for (const line of await pool.starmap(tasks.calculate, jobs)) console.log(line);
  } finally {
    await pool.terminate();
  }
}

// Output:
// add 5
// add(1, 2) = 3
// square(7) = 49
