/**
 * Task functions for the "why" sections (Ans1, Ans2): CPU-bound work, a no-op for measuring
 * overhead, and a worker that scribbles over the memory it was given and then crashes.
 */
import { currentProcess, defineTasks, isMain } from '@multiproc/multiproc';

/** How many primes lie in `[lo, hi)`, by trial division: deliberately CPU-bound. */
function countPrimes([lo, hi]: readonly [number, number]): number {
  let count = 0;
  for (let n = Math.max(lo, 2); n < hi; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/** Something that can be overwritten: a plain array (a copy) or a `SharedArray` (shared memory). */
type Scribblable = number[] | { readonly length: number; set(index: number, value: number): void };

export const tasks = defineTasks(import.meta.url, {
  countPrimes,
  /** Nothing at all, for measuring what a task costs by itself. */
  noop: (_item?: unknown) => {},
  /** Where the task ran: the pid and thread of the worker. */
  whereAmI: () => {
    const me = currentProcess();
    return { pid: me.pid, threadId: me.threadId, name: me.name };
  },
  /** Overwrites every slot of `memory` with -1, then crashes with exit code 3. */
  scribbleAndCrash: (memory: Scribblable) => {
    // Never in the demo's own main thread: exiting there would end the demo.
    if (isMain()) throw new Error('scribbleAndCrash must run in a worker');
    if (Array.isArray(memory)) memory.fill(-1);
    else for (let i = 0; i < memory.length; i++) memory.set(i, -1);
    process.exit(3);
  },
});
