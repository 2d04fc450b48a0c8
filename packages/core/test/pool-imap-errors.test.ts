// imap and imapUnordered go on after a failed item, as Python's IMapIterator does: `next()` raises
// the item's error, and the following `next()` calls return the items after it (the Python docs'
// pool example asserts this). Before, the failure ended the iterator and the later results were lost.
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/imap-failure-tasks.mjs';
import { poolMaker, runProgram } from './helpers.ts';

const makePool = poolMaker();
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Calls `next()` until done, as Python's `while True: next(it)` loop: each result, or the error's name. */
async function drain(it: AsyncIterator<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for (let i = 0; i < 1000; i++) {
    try {
      const step = await it.next();
      if (step.done) return seen;
      seen.push(step.value);
    } catch (err) {
      seen.push((err as Error).name);
    }
  }
  throw new Error('the iterator did not end after 1000 calls');
}

describe.each(matrix(import.meta.url))('imap after a failed item (%s)', (context) => {
  it('imap rejects the failed item next() and yields every later item in order', async () => {
    const pool = makePool({ processes: 2, context });
    expect(await drain(pool.imap(tasks.failOn5, range(10)))).toEqual([
      0,
      1,
      2,
      3,
      4,
      'RangeError',
      6,
      7,
      8,
      9,
    ]);
  }, 20_000);

  it('imapUnordered rejects the failed item next() once and yields every other item', async () => {
    const pool = makePool({ processes: 2, context });
    const seen = await drain(pool.imapUnordered(tasks.failOn5, range(10)));
    expect(seen.filter((v) => v === 'RangeError')).toHaveLength(1);
    expect(seen.filter((v) => typeof v === 'number').sort((a, b) => Number(a) - Number(b))).toEqual([
      0, 1, 2, 3, 4, 6, 7, 8, 9,
    ]);
  }, 20_000);

  it('imap without chunksize sends the items after a failed one again, each failed item rejecting alone', async () => {
    const pool = makePool({ processes: 2, context });
    // Long enough that chunks hold many items: a chunk's rest holds further failures.
    const expected = range(300).map((x) => (x % 10 === 5 ? 'RangeError' : x));
    expect(await drain(pool.imap(tasks.failOnFives, range(300)))).toEqual(expected);
    const unordered = await drain(pool.imapUnordered(tasks.failOnFives, range(300)));
    expect(unordered.filter((v) => v === 'RangeError')).toHaveLength(30);
    expect(unordered.filter((v) => typeof v === 'number').sort((a, b) => Number(a) - Number(b))).toEqual(
      expected.filter((v) => typeof v === 'number'),
    );
  }, 20_000);

  it('imap over an input read lazily goes on after the failed item too', async () => {
    const pool = makePool({ processes: 2, context });
    async function* input() {
      yield* range(10);
    }
    expect(await drain(pool.imap(tasks.failOn5, input()))).toEqual([0, 1, 2, 3, 4, 'RangeError', 6, 7, 8, 9]);
  }, 20_000);

  it('with chunksize a chunk is one task: its items after the failed one do not run, later chunks do', async () => {
    const pool = makePool({ processes: 2, context });
    // Chunks [0..3] [4..7] [8, 9]: 6 and 7 share the failed chunk, as in Python.
    expect(await drain(pool.imap(tasks.failOn5, range(10), { chunksize: 4 }))).toEqual([
      0,
      1,
      2,
      3,
      4,
      'RangeError',
      8,
      9,
    ]);
  }, 20_000);

  it('a worker that dies on an item rejects that next() with WorkerCrashedError and the loop goes on', async () => {
    const pool = makePool({ processes: 2, context });
    expect(await drain(pool.imap(tasks.exitOn3, range(6), { chunksize: 1 }))).toEqual([
      0,
      1,
      2,
      'WorkerCrashedError',
      4,
      5,
    ]);
  }, 20_000);

  it('a result that cannot be sent rejects that next() with SerializationError and the loop goes on', async () => {
    const pool = makePool({ processes: 2, context });
    expect(await drain(pool.imap(tasks.unsendableOn2, range(6)))).toEqual([
      0,
      1,
      'SerializationError',
      3,
      4,
      5,
    ]);
  }, 20_000);

  it('an abort after a failed item ends the loop with one AbortError, an endless input too', async () => {
    const pool = makePool({ processes: 2, context });
    const controller = new AbortController();
    function* endless() {
      for (let x = 0; ; x++) yield x;
    }
    const it = pool.imap(tasks.failOn5, endless(), { chunksize: 1, signal: controller.signal });
    const seen: unknown[] = [];
    for (;;) {
      const step = await it.next().catch((err: Error) => {
        if (err.name === 'RangeError') controller.abort();
        return { done: false, value: err.name };
      });
      if (step.done) break;
      seen.push(step.value);
    }
    expect(seen.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 'RangeError']);
    expect(seen.at(-1)).toBe('AbortError');
    expect(seen.filter((v) => v === 'AbortError')).toHaveLength(1);
  }, 20_000);

  it('return() after a failed item ends the call and stops reading the input', async () => {
    const pool = makePool({ processes: 2, context });
    let read = 0;
    function* endless() {
      for (let x = 5; ; x++) {
        read++;
        yield x;
      }
    }
    const it = pool.imap(tasks.failOn5, endless(), { chunksize: 1, inflight: 2 });
    await expect(it.next()).rejects.toMatchObject({ name: 'RangeError' });
    expect(await it.return()).toEqual({ value: undefined, done: true });
    expect(await it.next()).toEqual({ value: undefined, done: true });
    expect(read).toBe(2);
    pool.close();
    await pool.join();
  }, 20_000);

  it('onProgress counts the results of the items after a failed one', async () => {
    const pool = makePool({ processes: 2, context });
    let done = 0;
    await drain(pool.imap(tasks.failOn5, range(10), { onProgress: (n) => (done = n) }));
    expect(done).toBe(9);
  }, 20_000);

  it('a for-await loop a failed item ends leaves nothing running: the pool joins and the program ends', async () => {
    // The loop's next() rejected, so for-await called no return(): only the two chunks out run.
    const { stdout, code } = await runProgram('imap-abandon.mjs', [context]);
    expect([code, stdout]).toEqual([0, 'RangeError\njoined 2\n']);
  }, 30_000);

  it('such a loop left with its call timeout pending still lets the program end (as one never started does)', async () => {
    const { stdout, code } = await runProgram('imap-abandon.mjs', [context, 'timeout']);
    expect([code, stdout]).toEqual([0, 'RangeError\njoined 2\n']);
  }, 30_000);

  it('the call timeout still ends a loop whose chunk is running', async () => {
    const pool = makePool({ processes: 1, context });
    const loop = async () => {
      for await (const _ of pool.imap(tasks.sleep, [[1, 60_000]], { timeout: 300 })) {
        // The only item outlasts the timeout.
      }
    };
    await expect(loop()).rejects.toMatchObject({ name: 'TimeoutError' });
  }, 20_000);
});
