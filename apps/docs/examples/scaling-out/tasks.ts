// tasks.ts: the task module, deployed on the client machine and on every worker machine.
// Workers load it with `multiproc-worker --tasks ./tasks.ts` (or the compiled tasks.js).
import { defineTasks } from '@multiproc/core';

export const tasks = defineTasks(import.meta.url, {
  square: (x: number) => x * x,
  /** The number of words in a line: a stand-in for real per-item work. */
  words: (line: string) => line.split(/\s+/).filter(Boolean).length,
});
