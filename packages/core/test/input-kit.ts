// Inputs that stop yielding and the calls that read them, for the tests of a pool's map family over
// such inputs (a socket that goes quiet): one shape of call per method, and the error it ends with.
import type { Pool, TaskRef } from '@multiproc/core';

export type Method = 'map' | 'mapAsync' | 'starmap' | 'imap' | 'imapUnordered';
export const METHODS: Method[] = ['map', 'mapAsync', 'starmap', 'imap', 'imapUnordered'];

/**
 * An async iterator yielding `items`, then never again. Not a generator: a generator's `return()`
 * waits behind its pending `next()`, this one's answers, so a test can see it was called.
 */
export function stalling(items: unknown[]) {
  const state = { returned: 0 };
  let i = 0;
  const iterator: AsyncIterableIterator<unknown> = {
    next: () =>
      i < items.length ? Promise.resolve({ value: items[i++], done: false }) : new Promise(() => {}),
    return: () => {
      state.returned++;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return { iterator, state };
}

/** Yields `items`, then never again, as a generator (its `return()` waits behind the stalled read). */
export async function* stalls(items: unknown[]): AsyncGenerator<unknown> {
  yield* items;
  await new Promise(() => {});
}

/** Yields `items` and ends. */
export async function* flowing(items: unknown[]): AsyncGenerator<unknown> {
  yield* items;
}

export const drain = async (it: AsyncIterable<unknown>) => {
  const out: unknown[] = [];
  for await (const v of it) out.push(v);
  return out;
};

/** What `method` takes as its input's items: argument lists for starmap, the items otherwise. */
export const shaped = (method: Method, items: number[]): unknown[] =>
  method === 'starmap' ? items.map((item) => [item]) : items;

/** Runs `method` of `pool` with `task` over `input` (made with {@link shaped} items) to its end. */
export function call(
  pool: Pool,
  method: Method,
  task: TaskRef<(x: number) => unknown>,
  input: AsyncIterable<unknown>,
  options: object = {},
): Promise<unknown> {
  if (method === 'starmap') return pool.starmap(task, input as AsyncIterable<[number]>, options);
  const items = input as AsyncIterable<number>;
  if (method === 'map') return pool.map(task, items, options);
  if (method === 'mapAsync') return Promise.resolve(pool.mapAsync(task, items, options));
  return drain(pool[method](task, items, options));
}

/** The error `promise` rejects with (a resolution fails the test). */
export const failure = (promise: Promise<unknown>) =>
  promise.then(
    (v) => {
      throw new Error(`resolved with ${JSON.stringify(v)}`);
    },
    (e: unknown) => e as Error,
  );
