// tasks.ts: the task module the other pool examples import.
import { defineTasks, sendToCaller, type TaskRef } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  square: (x: number) => x * x,
  add: (a: number, b: number) => a + b,
  slowSquare: async (x: number) => {
    await new Promise((resolve) => setTimeout(resolve, 20 * (x % 3)));
    return x * x;
  },
  sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
  fail: (message: string) => {
    throw new RangeError(message);
  },
  /** Python's docs example `f`: 1 / (x - 5), failing for 5. */
  inverse: (x: number) => {
    if (x === 5) throw new RangeError('cannot divide by zero');
    return 1 / (x - 5);
  },
  exit: (code: number) => process.exit(code),
  // Python's calculate(func, args): a task reference is a function, here called in the worker.
  calculate: (func: TaskRef<(...args: number[]) => number>, args: number[]) =>
    `${func.name}(${args.join(', ')}) = ${func(...args)}`,
  countTo: (n: number) => {
    for (let i = 1; i <= n; i++) sendToCaller(`step ${i} of ${n}`);
    return n;
  },
});
