// An async input that stops yielding, like a socket that goes quiet: terminate() still ends a call
// waiting on it (the call has no job in the pool for terminate() to fail), also in the same turn
// as fresh calls, and a failed item or finished results are not held behind the stalled read.
import { PoolClosedError, TimeoutError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks as t } from './fixtures/stall-tasks.mjs';
import { poolMaker, runProgram } from './helpers.ts';
import { call, failure, flowing, METHODS, shaped, stalling } from './input-kit.ts';

const makePool = poolMaker();

/** Resolves once `onProgress` reported `n` results. */
function progress(n: number): { onProgress: (done: number) => void; reached: Promise<void> } {
  let reached!: () => void;
  const promise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  return { onProgress: (done) => done >= n && reached(), reached: promise };
}

describe.each(matrix(import.meta.url))('in the %s context', (context) => {
  describe.each(METHODS)('%s over an async input that stops yielding', (method) => {
    it('terminate() rejects it with PoolClosedError and calls the input return()', {
      timeout: 20_000,
    }, async () => {
      const pool = makePool({ processes: 2, context });
      const { iterator, state } = stalling(shaped(method, [1, 2]));
      // Both items answered: the call has no chunk left in the pool and waits on its input.
      const { onProgress, reached } = progress(2);
      const settled = failure(call(pool, method, t.square, iterator, { onProgress }));
      await reached;
      await pool.terminate();
      const err = await settled;
      expect(err).toBeInstanceOf(PoolClosedError);
      expect((err as PoolClosedError).code).toBe('MP_POOL_CLOSED');
      expect(state.returned).toBe(1);
    });

    it('terminate() while one of its chunks still runs rejects it with PoolClosedError', {
      timeout: 20_000,
    }, async () => {
      const pool = makePool({ processes: 2, context });
      // The second item runs for a minute: only terminate() ends it in time.
      const { iterator, state } = stalling(shaped(method, [0, 60_000]));
      const { onProgress, reached } = progress(1);
      const settled = failure(call(pool, method, t.sleep, iterator, { onProgress }));
      await reached;
      await pool.terminate();
      expect(await settled).toBeInstanceOf(PoolClosedError);
      expect(state.returned).toBe(1);
    });
  });

  it.each([
    ['before its workers are up', false],
    ['once its workers are up', true],
  ])(
    'terminate() in the same turn as calls over async inputs settles every one with PoolClosedError (%s)',
    {
      timeout: 30_000,
    },
    async (_when, warm) => {
      const pool = makePool({ processes: 2, context });
      if (warm) await pool.map(t.square, [1, 2, 3, 4]);
      const calls = METHODS.flatMap((method) => [
        call(pool, method, t.square, flowing(shaped(method, [1, 2, 3]))),
        call(pool, method, t.square, stalling(shaped(method, [1, 2])).iterator),
        call(pool, method, t.square, stalling([]).iterator),
      ]);
      const settled = Promise.all(calls.map((c) => failure(c)));
      await pool.terminate();
      const errors = await settled;
      expect(errors.filter((e) => !(e instanceof PoolClosedError))).toEqual([]);
    },
  );

  it('map, mapAsync and starmap over a stalled input reject at once with a failed item error', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 2, context });
    for (const method of ['map', 'mapAsync', 'starmap'] as const) {
      const { iterator, state } = stalling(shaped(method, [1, 2, 3]));
      const err = await failure(call(pool, method, t.failOn2, iterator, { chunksize: 1 }));
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toBe('bad item 2');
      expect(state.returned).toBe(1);
    }
  });

  it('imap over a stalled input yields every finished result and failed item before it waits', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 2, context });
    const { iterator, state } = stalling([1, 2, 3]);
    const results = pool.imap(t.failOn2, iterator as AsyncIterable<number>, { chunksize: 1 });
    expect(await results.next()).toEqual({ value: 1, done: false });
    await expect(results.next()).rejects.toThrow(RangeError);
    expect(await results.next()).toEqual({ value: 9, done: false });
    const waiting = failure(results.next());
    await pool.terminate();
    expect(await waiting).toBeInstanceOf(PoolClosedError);
    expect(state.returned).toBe(1);
  });
});

describe('the map stream', () => {
  it('ends with the stop error when stopped before or while it reads, without refilling forever', async () => {
    const { stdout, code } = await runProgram('stream-stop.mjs', [], {}, 10_000);
    expect(stdout.trim().split('\n')).toEqual([
      'stopped at once',
      'terminated before',
      'terminated while waiting',
    ]);
    expect(code).toBe(0);
  });
});

describe('an automatic chunk over an async input that pauses', () => {
  it.each(['imap', 'imapUnordered'] as const)(
    '%s: the items read before the pause are sent, not held until the chunk fills',
    { timeout: 20_000 },
    async (method) => {
      const pool = makePool({ processes: 2 });
      let resume!: () => void;
      const paused = new Promise<void>((resolve) => {
        resume = resolve;
      });
      // Fast enough that the chunks grow past a few items, then a pause as long as the test wants.
      async function* input() {
        for (let i = 0; i < 300; i++) yield i;
        await paused;
        yield 300;
      }
      const got: number[] = [];
      let before!: () => void;
      const allBefore = new Promise<void>((resolve) => {
        before = resolve;
      });
      const looping = (async () => {
        for await (const v of pool[method](t.square, input())) {
          got.push(v as number);
          if (got.length === 300) before();
        }
      })();
      // Every result of the 300 items read before the pause arrives during it (the last ones used to
      // wait, unsent, in a chunk that filled only once the input went on).
      await allBefore;
      resume();
      await looping;
      expect(got).toHaveLength(301);
    },
  );
});

describe('a call that ends before it reads its input', () => {
  it.each(METHODS)(
    '%s: a 1 ms timeout or an aborted signal calls the input return() before it rejects',
    {
      timeout: 20_000,
    },
    async (method) => {
      // The workers are still starting. The stream starts in the call's turn, so the stop finds it
      // holding the input, which it closes; @multiproc/bullmq's calls wait for Redis first.
      const pool = makePool({ processes: 1, context: 'thread' });
      const ended = (input: ReturnType<typeof stalling>, options: object) =>
        failure(call(pool, method, t.square, input.iterator, options)).then((error) => ({
          error,
          returned: input.state.returned,
        }));
      const timedOut = await ended(stalling(shaped(method, [1, 2])), { timeout: 1 });
      expect(timedOut.error).toBeInstanceOf(TimeoutError);
      expect(timedOut.returned).toBe(1);
      const aborted = await ended(stalling(shaped(method, [1, 2])), { signal: AbortSignal.abort('stop') });
      expect((aborted.error as Error).name).toBe('AbortError');
      expect(aborted.returned).toBe(1);
    },
  );

  it.each(['map', 'starmap'] as const)(
    '%s waiting for room (maxQueue): its timeout calls the input return()',
    {
      timeout: 20_000,
    },
    async (method) => {
      const pool = makePool({ processes: 1, maxQueue: 1, context: 'thread' });
      // One runs, one is queued: the map waits for room until its timeout (the first runs for 400 ms).
      const busy = [pool.applyAsync(t.sleep, [400]), pool.applyAsync(t.sleep, [400])];
      const input = stalling(shaped(method, [1, 2]));
      const error = await failure(call(pool, method, t.square, input.iterator, { timeout: 50 }));
      const returned = input.state.returned;
      expect(error).toBeInstanceOf(TimeoutError);
      expect(returned).toBe(1);
      await Promise.all(busy);
    },
  );
});
