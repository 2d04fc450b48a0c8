/** Task functions for the Pool section (Ans4): squares that take a while, and one that fails. */
import { defineTasks } from '@multiproc/multiproc';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const tasks = defineTasks(import.meta.url, {
  /** `x * x`, after `ms` milliseconds. */
  slowSquare: async (x: number, ms: number) => {
    await sleep(ms);
    return x * x;
  },
  /** `item.value`, after `item.ms` milliseconds: items finish in an order other than the input's. */
  delayed: async (item: { value: string; ms: number }) => {
    await sleep(item.ms);
    return item.value;
  },
  /** Always throws, to show `errorCallback`. */
  fail: (message: string) => {
    throw new RangeError(message);
  },
});
