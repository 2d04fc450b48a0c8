// warm-start.ts: keep a started worker ready, so Process.start() only hands it the target.
import { defineTasks, disableWarmStart, enableWarmStart, isMain, Process } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  work: (n: number) => console.log('working on', n),
});

if (isMain()) {
  // One spare per context, which imports this module ahead (Python: set_forkserver_preload)
  enableWarmStart({ context: 'process', preload: [tasks.work] });
  try {
    for (const n of [1, 2]) {
      const p = new Process({ target: tasks.work, args: [n], context: 'process' });
      p.start(); // takes the ready spare; a new spare starts at once for the next one
      await p.join();
    }
  } finally {
    disableWarmStart(); // stops the spare (it never keeps the program alive anyway)
  }
}

// Output:
// working on 1
// working on 2
