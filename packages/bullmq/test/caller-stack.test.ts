/**
 * A failed call of the BullMQ Pool tells where the program awaited it, as the local Pool's does
 * (core's caller-stack.ts, shared through `@multiproc/core/internal`): the task's own stack (the
 * worker's frames, which came back over Redis) first, then below `Where the pool call was awaited:`
 * the frames of the awaiting code. Before, such an error carried only the worker's frames.
 */
import { describe, expect, test } from 'vitest';
import { thrown } from '../../../test-support/thrown.ts';
import { tasks } from './fixtures/tasks.mjs';
import { poolsOnRedis } from './pool-suite.js';
import { redisMissing } from './redis.js';

const HEADER = 'Where the pool call was awaited:';

/** `error`'s stack: the task module's frame before the header, `caller` after it, one header only. */
function expectBoth(error: unknown, caller: string): void {
  expect(error).toBeInstanceOf(RangeError);
  const stack = String((error as Error).stack);
  const header = stack.indexOf(HEADER);
  expect(header, stack).toBeGreaterThan(0);
  expect(stack.indexOf(HEADER, header + 1), stack).toBe(-1);
  expect(stack.slice(0, header)).toContain('tasks.mjs');
  expect(stack.slice(header), stack).toMatch(new RegExp(`at (async )?${caller} `));
}

describe.skipIf(redisMissing)('the caller of a failed BullMQ pool call', () => {
  const makePool = poolsOnRedis(13);

  test('apply, map, starmap and an AsyncResult: the task frames, then the awaiting function', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    const callsApply = async () => await pool.apply(tasks.failAt, [3]);
    expectBoth(await thrown<unknown>(callsApply), 'callsApply');
    const callsMap = async () => await pool.map(tasks.failAt, [1, 3], { chunksize: 1 });
    expectBoth(await thrown<unknown>(callsMap), 'callsMap');
    const callsStarmap = async () => await pool.starmap(tasks.failAt, [[3]]);
    expectBoth(await thrown<unknown>(callsStarmap), 'callsStarmap');
    const callsGet = async () => await pool.applyAsync(tasks.failAt, [3]).get();
    expectBoth(await thrown<unknown>(callsGet), 'callsGet');
  });

  // Before, every call that terminate() (or a lost Redis) ended rejected with one shared error
  // object, so its stack named the line that awaited one of the other calls (python/cpython#101267
  // is the same fault in ProcessPoolExecutor). Each call's error is now its own.
  test('calls ended by terminate() each reject with an error of their own, naming their own caller', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool();
    const first = async () => await pool.apply(tasks.sleep, [30_000]);
    const second = async () => await pool.apply(tasks.sleep, [30_000]);
    const third = async () => await pool.map(tasks.sleep, [30_000, 30_000]);
    const ended = [thrown<Error>(first), thrown<Error>(second), thrown<Error>(third)];
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pool.terminate();
    const errors = await Promise.all(ended);
    expect(new Set(errors).size).toBe(3);
    ['first', 'second', 'third'].forEach((caller, i) => {
      const stack = String(errors[i]?.stack);
      expect(errors[i]?.name).toBe('PoolClosedError');
      expect(stack.slice(stack.indexOf(HEADER)), stack).toMatch(new RegExp(`at (async )?${caller} `));
    });
  });
});
