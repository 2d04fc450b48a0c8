/** Task functions for the fault-tolerance section: work that kills its own worker on one item. */
import { isMainThread } from 'node:worker_threads';
import { defineTasks, isMain } from '@multiproc/multiproc';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The item whose worker dies. */
export const FATAL_ITEM = 5;

export const tasks = defineTasks(import.meta.url, {
  /** `x * x` after a short pause; for {@link FATAL_ITEM}, the worker dies instead of answering. */
  squareOrDie: async (x: number) => {
    await sleep(20);
    if (x !== FATAL_ITEM) return x * x;
    // Never in the demo's own main thread: that would end the demo itself.
    if (isMain()) throw new Error('squareOrDie must run in a worker');
    // A child process is killed outright; a worker thread cannot be signalled alone, so it exits.
    if (isMainThread) process.kill(process.pid, 'SIGKILL');
    else process.exit(70);
    return await new Promise<number>(() => {}); // not reached
  },
});
