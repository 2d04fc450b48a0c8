// An input whose return() throws (a generator whose `finally` fails to release its file or cursor)
// must not replace the error a call ends with: after terminate() the call rejects with
// PoolClosedError, after a failed task with the task's error, as `for...of` keeps the loop's error
// over the one its iterator's return() throws. The input is still asked to finish. A consumer that
// leaves a loop early gets what return() throws, as with `for...of` over the generator itself, and
// the pool lets go of the call all the same.
import { PoolClosedError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks as t } from './fixtures/stall-tasks.mjs';
import { poolMaker } from './helpers.ts';
import { call, failure, METHODS, type Method, shaped } from './input-kit.ts';

const makePool = poolMaker();

/** Yields `items`, then `rest` for ever; its `finally` throws. `state.closed` counts its closes. */
function failsToClose(items: unknown[], rest: unknown, kind: 'async' | 'sync') {
  const state = { closed: 0 };
  const close = () => {
    state.closed++;
    throw new Error('the input failed to close');
  };
  const input =
    kind === 'async'
      ? (async function* () {
          try {
            yield* items;
            for (;;) yield rest;
          } finally {
            close();
          }
        })()
      : (function* () {
          try {
            yield* items;
            for (;;) yield rest;
          } finally {
            close();
          }
        })();
  return { input, state };
}

/** Resolves once `onProgress` reported `n` results. */
function progress(n: number): { onProgress: (done: number) => void; reached: Promise<void> } {
  let reached!: () => void;
  const promise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  return { onProgress: (done) => done >= n && reached(), reached: promise };
}

describe.each(matrix(import.meta.url))('in the %s context', (context) => {
  describe.each(['async', 'sync'] as const)('an %s input whose return() throws', (kind) => {
    it.each(METHODS)(
      '%s: terminate() rejects the call with PoolClosedError',
      {
        timeout: 20_000,
      },
      async (method: Method) => {
        const pool = makePool({ processes: 2, context });
        // The first item answers at once; the others run for a minute: terminate() ends them.
        const rest = method === 'starmap' ? [60_000] : 60_000;
        const { input, state } = failsToClose(shaped(method, [0]), rest, kind);
        const { onProgress, reached } = progress(1);
        // A sync generator handed to starmap as is; call() takes async inputs only for typing.
        const settled = failure(
          call(pool, method, t.sleep, input as AsyncIterable<unknown>, { onProgress, chunksize: 1 }),
        );
        await reached;
        await pool.terminate();
        const err = await settled;
        expect(err).toBeInstanceOf(PoolClosedError);
        expect((err as PoolClosedError).code).toBe('MP_POOL_CLOSED');
        expect(state.closed).toBe(1);
      },
    );

    it.each(['map', 'imap'] as const)(
      '%s: a failed task rejects the call with its own error',
      {
        timeout: 20_000,
      },
      async (method) => {
        const pool = makePool({ processes: 2, context });
        const { input, state } = failsToClose([1, 2, 3], 4, kind);
        const err = await failure(
          call(pool, method, t.failOn2, input as AsyncIterable<unknown>, { chunksize: 1 }),
        );
        expect(err).toBeInstanceOf(RangeError);
        expect(err.message).toBe('bad item 2');
        // An imap's loop leaves at the failed item without return(): its input closes with the pool.
        if (method === 'map') expect(state.closed).toBe(1);
        expect(await pool.map(t.square, [3])).toEqual([9]);
      },
    );
  });

  it('a consumer that leaves an imap early gets what the input return() throws; the pool goes on', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 2, context });
    const { input, state } = failsToClose([1, 2], 3, 'async');
    const leave = async () => {
      for await (const v of pool.imap(t.square, input as AsyncIterable<number>, { chunksize: 1 }))
        if (v === 1) break;
    };
    await expect(leave()).rejects.toThrow('the input failed to close');
    expect(state.closed).toBe(1);
    expect(await pool.map(t.square, [2, 3])).toEqual([4, 9]);
    pool.close();
    await pool.join();
  });
});
