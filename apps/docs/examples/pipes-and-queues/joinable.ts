// joinable.ts: a JoinableQueue: join() waits until every item put was marked done.
import { defineTasks, isMain, JoinableQueue, Process } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  worker: async (jobs: JoinableQueue<string>) => {
    for (;;) {
      const job = await jobs.get();
      console.log('did', job);
      jobs.taskDone();
    }
  },
});

if (isMain()) {
  const jobs = new JoinableQueue<string>();
  const worker = new Process({ target: tasks.worker, args: [jobs] });
  worker.start();
  try {
    for (const job of ['a', 'b', 'c']) await jobs.put(job);
    await jobs.join(); // resolves once taskDone() was called three times
    console.log('all done');
  } finally {
    await worker.terminate(); // the worker loops forever: stop it
  }
}

// The worker's lines reach your terminal through the main thread, so "all done" may come first.
// Output (any order):
// did a
// did b
// did c
// all done
