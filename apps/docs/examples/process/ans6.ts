// ans6.ts: Python's Ans6, four processes with an argument each, in child processes.
import { defineTasks, isMain, Process } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  printNum: (num: number) => console.log('Number:', num),
});

if (isMain()) {
  // Create 4 processes ('process' context: each one a child process with its own pid)
  const processes = [1, 2, 3, 4].map(
    (n) => new Process({ target: tasks.printNum, args: [n], context: 'process' }),
  );
  try {
    for (const p of processes) p.start(); // start all, then wait for all
    for (const p of processes) await p.join();
  } finally {
    await Promise.all(processes.map((p) => p.terminate()));
  }
}

// Lines never interleave (Python printed "Number: 1Number:" here); their order may vary.
// Output (any order):
// Number: 1
// Number: 2
// Number: 3
// Number: 4
