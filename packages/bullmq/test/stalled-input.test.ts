/**
 * An async input that stops yielding, like a socket that goes quiet: every way a map-style call
 * can end still ends it at once, as on the local Pool: `terminate()`, its `timeout`, its `signal`,
 * `close()` + `join()` (which waits for it until `terminate()`), the pool's own end. The input
 * is read no further, and its `return()` is called. Without `chunksize`, the items read before the
 * input paused are sent as they are (an automatic chunk does not wait to fill), so their results
 * flow, as on the local Pool.
 */
import { type ImapOptions, PoolClosedError, type TaskRef, TimeoutError } from '@multiproc/core';
import { describe, expect, test } from 'vitest';
import type { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { poolsOnRedis } from './pool-suite.js';
import { redisMissing } from './redis.js';

/**
 * An async iterator yielding `items`, then never again. Not a generator: a generator's `return()`
 * waits behind its pending `next()`, this one's answers, so a test can see it was called.
 */
function stalling(items: unknown[]) {
  const state = { returned: 0, reads: 0 };
  let i = 0;
  const iterator: AsyncIterableIterator<unknown> = {
    next: () => {
      state.reads++;
      return i < items.length ? Promise.resolve({ value: items[i++], done: false }) : new Promise(() => {});
    },
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

async function* flowing(items: unknown[]): AsyncGenerator<unknown> {
  yield* items;
}

const drain = async (it: AsyncIterable<unknown>) => {
  const out: unknown[] = [];
  for await (const v of it) out.push(v);
  return out;
};

type Method = 'map' | 'mapAsync' | 'starmap' | 'imap' | 'imapUnordered';
const METHODS: Method[] = ['map', 'mapAsync', 'starmap', 'imap', 'imapUnordered'];

/** What `method` takes as its input's items: argument lists for starmap, the items otherwise. */
const shaped = (method: Method, items: number[]): unknown[] =>
  method === 'starmap' ? items.map((item) => [item]) : items;

type Task = TaskRef<(x: number) => unknown>;

/** Runs `method` of `pool` over `input` (made with {@link shaped} items) to its end. */
function call(
  pool: Pool,
  method: Method,
  input: AsyncIterable<unknown>,
  options: ImapOptions = {},
  task: Task = tasks.square,
): Promise<unknown> {
  if (method === 'starmap') return pool.starmap(task, input as AsyncIterable<[number]>, options);
  const items = input as AsyncIterable<number>;
  if (method === 'map') return pool.map(task, items, options);
  if (method === 'mapAsync') return Promise.resolve(pool.mapAsync(task, items, options));
  return drain(pool[method](task, items, options));
}

/** The error `promise` rejects with (a resolution fails the test). */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    (v) => {
      throw new Error(`resolved with ${JSON.stringify(v)}`);
    },
    (e: unknown) => e as Error,
  );

/** Resolves once `onProgress` reported `n` results. */
function progress(n: number): { onProgress: (done: number) => void; reached: Promise<void> } {
  let reached!: () => void;
  const promise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  return { onProgress: (done) => done >= n && reached(), reached: promise };
}

/**
 * Starts `method` of `pool` over a {@link stalling} input of `items` (default `[1, 2]`), one item a
 * chunk, with `options` and `task` (default `tasks.square`): `reached` resolves once `answered`
 * items (default all) answered, `settled` with the error the call rejects with.
 */
function startStalled(
  pool: Pool,
  method: Method,
  {
    items = [1, 2],
    answered = items.length,
    task = tasks.square,
    options = {},
  }: {
    items?: number[];
    answered?: number;
    task?: Task;
    options?: ImapOptions;
  } = {},
) {
  const { iterator, state } = stalling(shaped(method, items));
  const { onProgress, reached } = progress(answered);
  const settled = failure(call(pool, method, iterator, { onProgress, chunksize: 1, ...options }, task));
  return { state, reached, settled };
}

/** The results an `imap` loop over `input` got before it failed, and its error. */
async function loop(it: AsyncIterable<unknown>): Promise<{ got: unknown[]; error: unknown }> {
  const got: unknown[] = [];
  try {
    for await (const v of it) got.push(v);
  } catch (error) {
    return { got, error };
  }
  return { got, error: undefined };
}

describe.skipIf(redisMissing)('a map-style call over an async input that stops yielding', () => {
  const makePool = poolsOnRedis(8);

  describe.each(METHODS)('%s', (method) => {
    test('terminate() once every item read has answered rejects it with PoolClosedError and calls return()', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool();
      const { state, reached, settled } = startStalled(pool, method);
      // Both items answered: the call has no job out and waits on its input.
      await reached;
      await pool.terminate();
      const error = await settled;
      expect(error).toBeInstanceOf(PoolClosedError);
      expect((error as PoolClosedError).code).toBe('MP_POOL_CLOSED');
      expect(state.returned).toBe(1);
      expect(state.reads).toBe(3);
    });

    test('terminate() while one of its jobs still runs rejects it with PoolClosedError and calls return()', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool();
      // The second item runs for a minute: only terminate() ends it in time.
      const { state, reached, settled } = startStalled(pool, method, {
        items: [0, 60_000],
        answered: 1,
        task: tasks.sleep,
      });
      await reached;
      await pool.terminate();
      expect(await settled).toBeInstanceOf(PoolClosedError);
      expect(state.returned).toBe(1);
    });

    test('its timeout rejects it with TimeoutError naming the call, and calls return()', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool();
      const { iterator, state } = stalling(shaped(method, [1, 2]));
      const error = await failure(call(pool, method, iterator, { timeout: 1500 }));
      expect(error).toBeInstanceOf(TimeoutError);
      const name = method === 'mapAsync' ? 'map' : method;
      expect(error.message).toMatch(new RegExp(`The ${name} call did not`));
      expect(state.returned).toBe(1);
      // The pool goes on.
      expect(await pool.map(tasks.square, [3])).toEqual([9]);
    });

    test('a call that ends before it read its input (timeout, aborted signal) calls return() before it rejects', {
      timeout: 30_000,
    }, async () => {
      // A new pool is still connecting: a 1 ms timeout, or a signal aborted already, ends the call
      // before its first read (a CI run at load hit this with a 1.5 s timeout). The input was
      // handed over all the same and is closed, as the local Pool closes it.
      const pool = makePool();
      // What the input's return() count was as the rejection reached the caller.
      const ended = (input: ReturnType<typeof stalling>, options: ImapOptions) =>
        failure(call(pool, method, input.iterator, options)).then((error) => ({
          error,
          returned: input.state.returned,
        }));
      const timedOut = await ended(stalling(shaped(method, [1, 2])), { timeout: 1 });
      expect(timedOut.error).toBeInstanceOf(TimeoutError);
      expect(timedOut.returned).toBe(1);
      const aborted = await ended(stalling(shaped(method, [1, 2])), { signal: AbortSignal.abort('stop') });
      expect(aborted.error.name).toBe('AbortError');
      expect(aborted.returned).toBe(1);
      expect(await pool.map(tasks.square, [3])).toEqual([9]);
    });

    test('an aborted signal rejects it with AbortError (the reason as cause), and calls return()', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool();
      const controller = new AbortController();
      const { state, reached, settled } = startStalled(pool, method, {
        options: { signal: controller.signal },
      });
      await reached;
      controller.abort('stop');
      const error = await settled;
      expect(error.name).toBe('AbortError');
      expect(error.cause).toBe('stop');
      expect(state.returned).toBe(1);
      expect(await pool.map(tasks.square, [3])).toEqual([9]);
    });

    test('close() then join(): join() waits for it; terminate() ends both, the call with PoolClosedError', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool();
      const { state, reached, settled } = startStalled(pool, method);
      await reached;
      pool.close();
      let joined = false;
      const joining = pool.join().then(() => {
        joined = true;
      });
      // Long enough for join() to have torn the pool down, had it not waited for the call.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(joined).toBe(false);
      await pool.terminate();
      await joining;
      expect(await settled).toBeInstanceOf(PoolClosedError);
      expect(state.returned).toBe(1);
    });
  });

  describe.each(['imap', 'imapUnordered'] as const)('%s without chunksize (automatic chunks)', (method) => {
    test('the items read before the input stalls are sent, their results reach the loop; terminate() ends it', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool();
      const { iterator, state } = stalling([1, 2, 3]);
      const got: unknown[] = [];
      let three!: () => void;
      const reached = new Promise<void>((resolve) => {
        three = resolve;
      });
      const looping = loop(
        (async function* () {
          for await (const v of pool[method](tasks.square, iterator as AsyncIterable<number>)) {
            got.push(v);
            if (got.length === 3) three();
            yield v;
          }
        })(),
      );
      // They used to wait, unsent, for the automatic chunk to fill (16 items) behind the stalled read.
      await reached;
      expect([...got].sort()).toEqual([1, 4, 9]);
      await pool.terminate();
      const { error } = await looping;
      expect(error).toBeInstanceOf(PoolClosedError);
      expect(state.returned).toBe(1);
      expect(state.reads).toBe(4);
    });

    test('a slow input: each result arrives while the input is still slow, not once a chunk is full', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool();
      let inputEnded = Number.POSITIVE_INFINITY;
      async function* slow() {
        for (let i = 1; i <= 6; i++) {
          yield i;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        inputEnded = performance.now();
      }
      const at: number[] = [];
      for await (const _ of pool[method](tasks.square, slow())) at.push(performance.now());
      expect(at).toHaveLength(6);
      // The first result comes while the input is still slow (it used to wait for the whole input:
      // the automatic chunk of 16 items was sent once the input had ended).
      expect(at[0]).toBeLessThan(inputEnded);
    });
  });

  describe.each(['imap', 'imapUnordered'] as const)('%s whose loop never asks for a result', (method) => {
    test('its timeout runs from the call: the input is closed, the first next() rejects with TimeoutError naming the call', {
      timeout: 30_000,
    }, async () => {
      // The call used to start with its loop's first next(): a loop that never came held the
      // call, its input and its jobs open forever, the timeout never set.
      const pool = makePool();
      const { iterator, state } = stalling([]);
      const results = pool[method](tasks.square, iterator as AsyncIterable<number>, { timeout: 1000 });
      await expect.poll(() => state.returned, { timeout: 10_000 }).toBe(1);
      const error = await failure(results.next());
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.message).toMatch(new RegExp(`The ${method} call did not receive every result`));
      expect(await pool.map(tasks.square, [3])).toEqual([9]);
    });

    test('with a timeout its items run from the call; a loop started later gets their results, then the TimeoutError', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool();
      const { iterator, state } = stalling([1, 2]);
      const { onProgress, reached } = progress(2);
      const results = pool[method](tasks.square, iterator as AsyncIterable<number>, {
        timeout: 1500,
        chunksize: 1,
        onProgress,
      });
      await reached;
      await expect.poll(() => state.reads).toBe(3);
      const { got, error } = await loop({ [Symbol.asyncIterator]: () => results });
      expect(method === 'imap' ? got : got.sort()).toEqual([1, 4]);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(state.returned).toBe(1);
    });

    test('an aborted signal: the first next() rejects with AbortError and the input is closed', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool();
      const controller = new AbortController();
      const { iterator, state } = stalling([1, 2]);
      const results = pool[method](tasks.square, iterator as AsyncIterable<number>, {
        signal: controller.signal,
      });
      controller.abort('stop');
      const error = await failure(results.next());
      expect(error.name).toBe('AbortError');
      expect(error.cause).toBe('stop');
      expect(state.returned).toBe(1);
    });

    test('without a timeout nothing is read or run before the loop asks, as on the local Pool', {
      timeout: 30_000,
    }, async () => {
      const pool = makePool();
      const { iterator, state } = stalling([1, 2]);
      const results = pool[method](tasks.square, iterator as AsyncIterable<number>, { chunksize: 1 });
      // A call made after it runs to its end: the pool is connected and its workers idle.
      expect(await pool.map(tasks.square, [3])).toEqual([9]);
      expect(state.reads).toBe(0);
      const head = await results.next();
      expect(head.done).toBe(false);
      expect(method === 'imap' ? [head.value] : [1, 4]).toContain(head.value);
      await results.return();
      expect(state.returned).toBe(1);
    });
  });

  test('a slow async generator input: terminate() ends the call at once, and the generator finally runs once its read settles', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finished = false;
    let readAfter = false;
    async function* slow() {
      try {
        yield 1;
        yield 2;
        await held;
        readAfter = true;
        yield 3;
      } finally {
        finished = true;
      }
    }
    const { onProgress, reached } = progress(2);
    const settled = failure(pool.map(tasks.square, slow(), { onProgress, chunksize: 1 }));
    await reached;
    await pool.terminate();
    expect(await settled).toBeInstanceOf(PoolClosedError);
    expect(finished).toBe(false);
    release();
    await expect.poll(() => finished, { timeout: 5000 }).toBe(true);
    // return() was queued behind the pending read: the generator resumed to its finally, not past it.
    expect(readAfter).toBe(true);
  });

  test('terminate() in the same turn as calls over async inputs settles every one with PoolClosedError', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    await pool.map(tasks.square, [1, 2, 3, 4]);
    const calls = METHODS.flatMap((method) => [
      call(pool, method, flowing(shaped(method, [1, 2, 3]))),
      call(pool, method, stalling(shaped(method, [1, 2])).iterator),
      call(pool, method, stalling([]).iterator),
    ]);
    const settled = Promise.all(calls.map((c) => failure(c)));
    await pool.terminate();
    const errors = await settled;
    expect(errors.filter((e) => !(e instanceof PoolClosedError))).toEqual([]);
  });

  test('map, mapAsync and starmap over a stalled input reject at once with a failed item error', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    for (const method of ['map', 'mapAsync', 'starmap'] as const) {
      const { iterator, state } = stalling(shaped(method, [1, 2, 3]));
      const error = await failure(call(pool, method, iterator, { chunksize: 1 }, tasks.failAt as Task));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe('bad item 3');
      expect(state.returned).toBe(1);
    }
  });
});
