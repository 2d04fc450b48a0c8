/**
 * `imap` and `imapUnordered` go on after a failed item, as on the local Pool (and Python's
 * `IMapIterator`): `next()` rejects with the item's error and the following calls return the items
 * after it. And `close()` under an open `imap`: the call reads the rest of its input, `join()`
 * waits for it, and the results wait for the loop. And an open `imap` holds no result its loop has read.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PoolClosedError } from '@multiproc/core';
import { describe, expect, test } from 'vitest';
import { tasks } from './fixtures/tasks.mjs';
import { poolsOnRedis } from './pool-suite.js';
import { redisMissing } from './redis.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Calls `next()` until done, as Python's `while True: next(it)` loop: each result, or the error's name. */
async function drain(it: AsyncIterator<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for (let i = 0; i < 1000; i++) {
    try {
      const step = await it.next();
      if (step.done) return seen;
      seen.push(step.value);
    } catch (error) {
      seen.push((error as Error).name);
    }
  }
  throw new Error('the iterator did not end after 1000 calls');
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Endless: `{ i }` for i = 0, 1, 2, ... */
function* objects() {
  for (let i = 0; ; i++) yield { i };
}

/**
 * Reads `it` up to its 40th result, then (with the loop still open) answers how many of the first 30
 * results are still held by something else than the loop, once collected (finalization runs in a
 * later task, so it collects a few times, until none is held or 2 s have passed).
 */
async function heldAfter40(it: AsyncIterable<unknown>): Promise<number> {
  const refs: WeakRef<object>[] = [];
  const held = () => refs.slice(0, 30).filter((ref) => ref.deref() !== undefined).length;
  for await (const value of it) {
    refs.push(new WeakRef(value as object));
    if (refs.length < 40) continue;
    for (const end = Date.now() + 2000; held() > 0 && Date.now() < end; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
    }
    return held();
  }
  throw new Error('the endless imap ended');
}

const numbers = (seen: unknown[]) =>
  seen.filter((v) => typeof v === 'number').sort((a, b) => Number(a) - Number(b));

describe.skipIf(redisMissing)('imap after a failed item, and close() under an open imap', () => {
  const makePool = poolsOnRedis(9);

  test('imap rejects the failed item next() and yields every later item in order, an async input too', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    const expected = [0, 10, 20, 'RangeError', 40, 50, 60, 70, 80, 90];
    expect(await drain(pool.imap(tasks.failAt, range(10)))).toEqual(expected);
    async function* input() {
      yield* range(10);
    }
    expect(await drain(pool.imap(tasks.failAt, input()))).toEqual(expected);
  });

  test('an open imap holds no result its loop has read: an endless input runs in flat memory', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    // Each chunk's reply used to be raced against the call's end, a promise that lives as long as
    // the call: every result stayed reachable until the loop ended (150 results of 1 MiB: 184 MiB).
    expect(await heldAfter40(pool.imap(tasks.echo, objects(), { chunksize: 1 }))).toBe(0);
    expect(await heldAfter40(pool.imapUnordered(tasks.echo, objects(), { chunksize: 1 }))).toBe(0);
    expect(await heldAfter40(pool.imap(tasks.echo, objects(), { timeout: 60_000 }))).toBe(0);
  });

  test('imapUnordered rejects the failed item next() once and yields every other item', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    const seen = await drain(pool.imapUnordered(tasks.failAt, range(10)));
    expect(seen.filter((v) => v === 'RangeError')).toHaveLength(1);
    expect(numbers(seen)).toEqual([0, 10, 20, 40, 50, 60, 70, 80, 90]);
  });

  test('imap without chunksize sends the items after a failed one again, each failed item rejecting alone', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    // Long enough that chunks hold many items: a chunk's rest holds further failures.
    const expected = range(200).map((x) => (x % 10 === 5 ? 'RangeError' : x));
    expect(await drain(pool.imap(tasks.failOnFives, range(200)))).toEqual(expected);
    const unordered = await drain(pool.imapUnordered(tasks.failOnFives, range(200)));
    expect(unordered.filter((v) => v === 'RangeError')).toHaveLength(20);
    expect(numbers(unordered)).toEqual(expected.filter((v) => typeof v === 'number'));
  });

  // Four calls of 120 items, each failed chunk's rest sent again after it: many jobs, most in
  // series, each a round trip through Redis and the worker, no timer. 0.4-0.5 s (about 0.4 s of
  // CPU) alone, 2.5 s beside four busy loops of its own niceness; at a CI load of 30 its first try
  // passed the 30 s it had (its retry took about 28 s). Its time is the scheduling of the test
  // process and Redis at load: it gets 90 s.
  test('an item that cannot be sent fails alone: the items before it are yielded, those after it run', {
    timeout: 90_000,
  }, async () => {
    const pool = makePool();
    // Every tenth item a function, as the worker's failOnFives fails every tenth: both kinds in one call.
    const item = (x: number) => (x % 10 === 7 ? () => x : x);
    const expected = range(120).map((x) =>
      x % 10 === 7 ? 'SerializationError' : x % 10 === 5 ? 'RangeError' : x,
    );
    const fromArray = pool.imap(tasks.failOnFives, range(120).map(item) as number[]);
    expect(await drain(fromArray)).toEqual(expected);
    function* input() {
      for (let x = 0; x < 120; x++) yield item(x) as number;
    }
    expect(await drain(pool.imap(tasks.failOnFives, input()))).toEqual(expected);
    const unordered = await drain(pool.imapUnordered(tasks.failOnFives, input()));
    expect(unordered.filter((v) => v === 'SerializationError')).toHaveLength(12);
    expect(numbers(unordered)).toEqual(expected.filter((v) => typeof v === 'number'));
    // With chunksize a chunk is one task, as when the worker fails it: its other items do not run.
    const chunked = pool.imap(tasks.failOnFives, [0, 1, () => 2, 3, 4, 6] as number[], { chunksize: 2 });
    expect(await drain(chunked)).toEqual([0, 1, 'SerializationError', 4, 6]);
  });

  test('with chunksize a chunk is one task: its items after the failed one do not run, later chunks do', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    // Chunks [0, 1, 2] [3, 4, 5] [6, 7, 8] [9]: 4 and 5 share the failed chunk, as in Python.
    expect(await drain(pool.imap(tasks.failAt, range(10), { chunksize: 3 }))).toEqual([
      0,
      10,
      20,
      'RangeError',
      60,
      70,
      80,
      90,
    ]);
  });

  test('onProgress counts the results of the items after a failed one', { timeout: 30_000 }, async () => {
    const pool = makePool();
    let done = 0;
    await drain(pool.imap(tasks.failAt, range(10), { onProgress: (n) => (done = n) }));
    expect(done).toBe(9);
  });

  test('an abort after a failed item ends the loop with one AbortError, an endless input too', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    const controller = new AbortController();
    function* endless() {
      for (let x = 0; ; x++) yield x;
    }
    const it = pool.imap(tasks.failAt, endless(), { chunksize: 1, signal: controller.signal });
    const seen: unknown[] = [];
    for (;;) {
      const step = await it.next().catch((error: Error) => {
        if (error.name === 'RangeError') controller.abort();
        return { done: false, value: error.name };
      });
      if (step.done) break;
      seen.push(step.value);
    }
    expect(seen.slice(0, 4)).toEqual([0, 10, 20, 'RangeError']);
    expect(seen.at(-1)).toBe('AbortError');
    expect(seen.filter((v) => v === 'AbortError')).toHaveLength(1);
  });

  test('imap over a stalled input yields every finished result and failed item before it waits; terminate() ends it', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    let returned = 0;
    let i = 0;
    const items = [1, 3, 4];
    const stalled: AsyncIterableIterator<number> = {
      next: () =>
        i < items.length ? Promise.resolve({ value: items[i++]!, done: false }) : new Promise(() => {}),
      return: () => {
        returned++;
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    const results = pool.imap(tasks.failAt, stalled, { chunksize: 1 });
    expect(await results.next()).toEqual({ value: 10, done: false });
    await expect(results.next()).rejects.toThrow(RangeError);
    expect(await results.next()).toEqual({ value: 40, done: false });
    const waiting = results.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    await pool.terminate();
    expect(await waiting).toBeInstanceOf(PoolClosedError);
    expect(returned).toBe(1);
  });

  test.each([
    ['imap', true],
    ['imapUnordered', false],
  ] as const)(
    '%s: close() runs the rest of a partly read input, join() waits for it, the loop gets every result after',
    {
      timeout: 30_000,
    },
    async (method, ordered) => {
      const pool = makePool();
      const it = pool[method](tasks.square, range(50), { chunksize: 1 });
      const first = await it.next();
      pool.close();
      await pool.join();
      // The pool is torn down: these results ran before join() resolved.
      const rest = await drain(it);
      const all = [first.value, ...rest];
      const squares = range(50).map((x) => x * x);
      expect(ordered ? all : numbers(all)).toEqual(squares);
    },
  );

  test('close() runs an imap whose loop never started; its loop reads every result after join()', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    function* items() {
      yield* range(30);
    }
    const it = pool.imap(tasks.square, items());
    pool.close();
    await pool.join();
    expect(await drain(it)).toEqual(range(30).map((x) => x * x));
  });

  test('a loop left at a failed item reads no more at close(); going on after join() ends with PoolClosedError', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    function* naturals() {
      for (let x = 0; ; x++) yield x;
    }
    const it = pool.imap(tasks.failAt, naturals(), { chunksize: 1 });
    for (const x of [0, 10, 20]) expect((await it.next()).value).toBe(x);
    // A for await loop ends here without return(): the consumer has left.
    await expect(it.next()).rejects.toBeInstanceOf(RangeError);
    pool.close();
    await pool.join();
    const rest = await drain(it);
    expect(rest.at(-1)).toBe('PoolClosedError');
    expect(rest.slice(0, -1).every((v) => typeof v === 'number')).toBe(true);
  });
});
