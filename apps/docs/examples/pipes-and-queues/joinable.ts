// joinable.ts: a JoinableQueue: join() waits until every item put was marked done.
import { defineTasks, isMain, JoinableQueue, Process } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  worker: async (jobs: JoinableQueue<string | null>) => {
    for (let job = await jobs.get(); job !== null; job = await jobs.get()) {
      console.log('did', job);
      jobs.taskDone();
    }
    jobs.taskDone(); // the stop signal is an item too
  },
});

if (isMain()) {
  const jobs = new JoinableQueue<string | null>();
  const worker = new Process({ target: tasks.worker, args: [jobs] });
  worker.start();
  try {
    for (const job of ['a', 'b', 'c']) await jobs.put(job);
    await jobs.join(); // resolves once taskDone() was called three times
    console.log('all done');
    await jobs.put(null); // stop signal: the worker returns, and its output is flushed as it ends
    await worker.join();
  } finally {
    await worker.terminate(); // a no-op once it has ended; stops it if something above threw
  }
}

// The worker's lines reach your terminal through the main thread, so "all done" may come first.
// terminate() ends a worker at once, and lines it had not yet handed over are lost with it:
// end workers by a stop signal, as here, when you want all of their output.
// Output (any order):
// did a
// did b
// did c
// all done
