// ans3.ts: Python's Ans3, one process that prints a line.
import { defineTasks, isMain, Process } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  myProcess: () => console.log('This is my process.'),
});

if (isMain()) {
  const p = new Process({ target: tasks.myProcess });
  p.start();
  try {
    await p.join();
  } finally {
    await p.terminate(); // a no-op once it has ended; stops it if join() threw
  }
}

// Output:
// This is my process.
