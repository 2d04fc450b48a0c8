// A thread pool runs the chunks of numbers of a long `imap` on side lanes: posted straight on each
// worker's port, outside tinypool (issue 18, imap memory). These check that every guarantee of a
// chunk holds there: a crash fails only the running chunk, an abort or a timeout stops it by
// replacing its worker, leaving the loop early stops the rest, terminate() rejects what is left.
import { Pool, PoolClosedError, TimeoutError, WorkerCrashedError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { BAD_ITEM, sideTasks } from './fixtures/side-lane-tasks.ts';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

function* numbers(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** A thread pool whose workers have run a task of it (side lanes are used from then on). */
async function warmPool(): Promise<Pool> {
  const pool = new Pool({ processes: 2 });
  pools.push(pool);
  expect(await pool.map(sideTasks.double, [1, 2, 3, 4])).toEqual([2, 4, 6, 8]);
  return pool;
}

/** Reads `results` to the end or its error; the values read, and the error. */
async function drain(results: AsyncIterable<number>): Promise<{ got: number[]; error: unknown }> {
  const got: number[] = [];
  try {
    for await (const value of results) got.push(value);
  } catch (error) {
    return { got, error };
  }
  return { got, error: undefined };
}

/** Whether `got` is 0, 2, 4, ... in order. */
function allDoubled(got: number[]): boolean {
  return got.every((v, i) => v === 2 * i);
}

describe('imap chunks on side lanes (thread context)', () => {
  it('a thread that exits in the middle of a long imap fails only that chunk, after every result before it', async () => {
    const pool = await warmPool();
    const { got, error } = await drain(pool.imap(sideTasks.exitAtBad, numbers(4 * BAD_ITEM)));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).exitCode).toBe(9);
    expect((error as WorkerCrashedError).taskIndex).toBe(BAD_ITEM);
    expect(got.length).toBeLessThanOrEqual(BAD_ITEM);
    expect(allDoubled(got)).toBe(true);
    // The worker was replaced; the next long imap runs whole.
    const again = await drain(pool.imap(sideTasks.double, numbers(BAD_ITEM)));
    expect(again.error).toBeUndefined();
    expect(again.got).toHaveLength(BAD_ITEM);
    expect(allDoubled(again.got)).toBe(true);
  }, 60_000);

  it('a timeout stops a chunk stuck on a side lane by replacing its worker, and the pool goes on', async () => {
    const pool = await warmPool();
    const { got, error } = await drain(
      pool.imap(sideTasks.stuckAtBad, numbers(4 * BAD_ITEM), { timeout: 1500 }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(allDoubled(got)).toBe(true);
    expect(await pool.map(sideTasks.double, [5, 6])).toEqual([10, 12]);
    const again = await drain(pool.imap(sideTasks.double, numbers(BAD_ITEM)));
    expect(again.got).toHaveLength(BAD_ITEM);
  }, 60_000);

  it('an abort stops a long imap whose chunks are on side lanes, and the pool goes on', async () => {
    const pool = await warmPool();
    const controller = new AbortController();
    const got: number[] = [];
    let error: unknown;
    try {
      for await (const value of pool.imap(sideTasks.double, numbers(10 * BAD_ITEM), {
        signal: controller.signal,
      })) {
        got.push(value);
        if (got.length === BAD_ITEM) controller.abort();
      }
    } catch (err) {
      error = err;
    }
    expect((error as Error)?.name).toBe('AbortError');
    expect(allDoubled(got)).toBe(true);
    expect(await pool.map(sideTasks.double, [7])).toEqual([14]);
  }, 60_000);

  it('leaving a long imap early stops its side chunks: the pool closes and joins', async () => {
    const pool = await warmPool();
    const got: number[] = [];
    for await (const value of pool.imap(sideTasks.double, numbers(10 * BAD_ITEM))) {
      got.push(value);
      if (got.length === BAD_ITEM) break;
    }
    expect(allDoubled(got)).toBe(true);
    pool.close();
    await pool.join();
  }, 60_000);

  it('terminate() in the middle of a long imap rejects it with PoolClosedError', async () => {
    const pool = await warmPool();
    const got: number[] = [];
    let error: unknown;
    try {
      for await (const value of pool.imap(sideTasks.double, numbers(10 * BAD_ITEM))) {
        got.push(value);
        if (got.length === BAD_ITEM) void pool.terminate();
      }
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PoolClosedError);
    expect(allDoubled(got)).toBe(true);
  }, 60_000);

  it('maxTasksPerChild still counts every chunk of a long imap as one task', async () => {
    const pool = new Pool({ processes: 2, maxTasksPerChild: 3 });
    pools.push(pool);
    expect(await pool.map(sideTasks.double, [1, 2])).toEqual([2, 4]);
    const { got, error } = await drain(pool.imap(sideTasks.threadOf, numbers(BAD_ITEM)));
    expect(error).toBeUndefined();
    expect(got).toHaveLength(BAD_ITEM);
    // Far more chunks than 2 workers x 3 tasks: workers were replaced along the way.
    expect(new Set(got).size).toBeGreaterThan(4);
  }, 60_000);
});
