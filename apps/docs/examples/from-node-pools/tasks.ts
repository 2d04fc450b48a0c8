// tasks.ts: a piscina-style worker file. Its functions stay as they were (the default export too);
// one defineTasks() line registers them, and the pool calls them through `tasks`.
import { defineTasks, move } from '@multiproc/multiproc';

/** What piscina would run by the file's name: the sum of the bytes. */
export default function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) % 65_521;
  return sum;
}

/** A result buffer moved back to the caller instead of copied. */
function fill(size: number, value: number): Uint8Array {
  return move(new Uint8Array(size).fill(value));
}

/** CPU-bound work that holds its worker for `ms`. */
function spin(ms: number): number {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
}

/** Slow work that is not CPU-bound (a stand-in for a call that takes its time). */
function sleep(ms: number): Promise<number> {
  return new Promise((resolve) => setTimeout(() => resolve(ms), ms));
}

/** Allocates until the worker's heap limit stops it. */
function hog(): never {
  const kept: number[][] = [];
  for (;;) kept.push(new Array(100_000).fill(kept.length));
}

export const tasks = defineTasks(import.meta.url, { checksum, fill, spin, sleep, hog });
