// An imap's `timeout` fails only the results not received by its deadline, as Python's
// `IMapIterator.next(timeout)` fails only a wait for a result that is not there: a slow consumer
// loses nothing the pool already holds, and the error says what timed out.

import { TimeoutError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/edge-tasks.mjs';
import { poolMaker, runProgram } from './helpers.ts';

const makePool = poolMaker();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TIMEOUT_MS = 3000;

/** A pool of two whose workers are up and have loaded the tasks. */
async function warmPool(context: 'thread' | 'process') {
  const pool = makePool({ processes: 2, context });
  await pool.map(t.echo, [1, 2], { chunksize: 1 });
  await expect.poll(() => pool.stats().workers, { timeout: 15_000 }).toBe(2);
  return pool;
}

describe.each(matrix(import.meta.url))('imap timeout, %s context', (context) => {
  it.each(['imap', 'imapUnordered'] as const)(
    '%s: a loop waiting on a stalled input gets its TimeoutError: the timeout holds the program',
    { timeout: 60_000 },
    async (method) => {
      const { stdout, stderr, code } = await runProgram(
        'imap-stalled-input.mjs',
        [context, method],
        {},
        50_000,
      );
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      // On a loaded machine the two results may not all be back by the deadline (it counts from
      // the call, workers' start included): what came is among them, then the TimeoutError.
      const got = JSON.parse(stdout) as unknown[];
      expect(got.at(-1)).toBe('TimeoutError');
      expect([1, 4]).toEqual(expect.arrayContaining(got.slice(0, -1)));
    },
  );

  it.each(['imap', 'imapUnordered'] as const)(
    '%s: a consumer slower than the timeout still gets every result received in time',
    { timeout: 30_000 },
    async (method) => {
      const pool = await warmPool(context);
      const items = [1, 2, 3, 4, 5];
      const results: unknown[] = [];
      for await (const value of pool[method](t.echo, items, { timeout: 2000, chunksize: 1, inflight: 10 })) {
        results.push(value);
        if (results.length !== 1) continue;
        // Every task has finished; the loop body then runs past the deadline. (A timer set now for
        // longer than the call's fires after the call's.)
        await expect
          .poll(() => pool.stats().completed, { timeout: 10_000 })
          .toBeGreaterThanOrEqual(2 + items.length);
        await pause(2500);
      }
      expect(method === 'imap' ? results : results.sort()).toEqual(items);
    },
  );

  it.each(['imap', 'imapUnordered'] as const)(
    '%s: a result not received by the deadline fails with a TimeoutError saying so, after those received',
    { timeout: 30_000 },
    async (method) => {
      const pool = await warmPool(context);
      const results: unknown[] = [];
      let error: unknown;
      try {
        // The third item never finishes in time; the others do, long before the deadline.
        const input = [0, 0, 60_000, 0];
        for await (const value of pool[method](t.sleep, input, { timeout: TIMEOUT_MS, chunksize: 1 })) {
          results.push(value);
        }
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toMatch(new RegExp(`${method} call did not receive every result`));
      // In input order the loop ends at the item that timed out; in completion order every result
      // received in time comes first.
      expect(results).toEqual(method === 'imap' ? [0, 0] : [0, 0, 0]);
      expect(await pool.apply(t.echo, ['after'])).toBe('after');
    },
  );

  it('imap: an item that failed in a chunk whose rest the deadline stopped fails alone; the TimeoutError follows', {
    timeout: 30_000,
  }, async () => {
    // Without chunksize a chunk's items after a failed one go again (its rest); stopped by the
    // deadline, the chunk came back with the item's own error, which ended the loop as the call's
    // error: the TimeoutError went unreported and the items not done were lost without an error.
    const pool = await warmPool(context);
    const input = [...Array<number>(300).fill(0), -1, ...Array<number>(20).fill(60_000)];
    const got: unknown[] = [];
    const stream = pool.imap(t.sleepOrThrow, input, { timeout: TIMEOUT_MS });
    for (let step = 0; step < input.length + 1; step++) {
      const next = await stream.next().then(
        (r) => (r.done ? 'done' : r.value),
        (e: Error) => e.name,
      );
      got.push(next);
      if (next === 'done' || next === 'TimeoutError') break;
    }
    expect(got.slice(-2)).toEqual(['RangeError', 'TimeoutError']);
    expect(got.length).toBe(302);
    expect(await pool.apply(t.echo, ['after'])).toBe('after');
  });

  it.each(['imap', 'imapUnordered'] as const)(
    '%s: a call with a timeout runs from the call, not from its loop: a loop started after the deadline gets every result',
    { timeout: 30_000 },
    async (method) => {
      const pool = await warmPool(context);
      const before = pool.stats().completed;
      const items = [1, 2, 3];
      const results = pool[method](t.echo, items, { timeout: 2000, chunksize: 1 });
      // Nothing asks for a result yet: the items run all the same, as Python's imap runs its tasks
      // from the call (before, they waited for the loop while the deadline ran).
      await expect.poll(() => pool.stats().completed, { timeout: 10_000 }).toBe(before + items.length);
      // A timer set now for longer than the call's fires after the call's deadline.
      await pause(2500);
      const got: unknown[] = [];
      for await (const value of results) got.push(value);
      expect(method === 'imap' ? got : got.sort()).toEqual(items);
    },
  );

  it('map: the whole call times out, and the message names the call', { timeout: 30_000 }, async () => {
    const pool = await warmPool(context);
    const error = await pool
      .map(t.sleep, [0, 60_000], { timeout: 300, chunksize: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/map call did not finish within 300 ms/);
  });
});
