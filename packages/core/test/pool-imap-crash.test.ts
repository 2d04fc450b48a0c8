// A worker that dies during an imap/imapUnordered call without `chunksize` fails only the item it
// was running, as with Python's default of one item a task: every other item of its automatic
// chunk still yields its value (those after it are sent again, those before it run again, their
// results having died with the worker). With `chunksize` the chunk is one task and fails whole.
// `WorkerCrashedError.taskIndex` names the item that was running, in both contexts.
import { type Pool, WorkerCrashedError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/imap-failure-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const N = 300;

/** Calls `next()` until done: each result, or `E<taskIndex>` for a WorkerCrashedError. */
async function drain(it: AsyncIterator<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for (let i = 0; i < 2 * N; i++) {
    try {
      const step = await it.next();
      if (step.done) return seen;
      seen.push(step.value);
    } catch (err) {
      seen.push(err instanceof WorkerCrashedError ? `E${err.taskIndex}` : String(err));
    }
  }
  throw new Error(`the iterator did not end after ${2 * N} calls`);
}

/** What each item of 0..N-1 should yield: its value, or the crash of the items in `bad`. */
const expected = (bad: number[]) => range(0, N).map((x) => (bad.includes(x) ? `E${x}` : x));

const sorted = (xs: unknown[]) => xs.map(String).sort();

/**
 * Runs the task over other items first (a `map`, whose length is known): the pool learns the
 * task's chunk size from it, so the imap after it sends big automatic chunks at once and item
 * 150 runs in the middle of one, not in a chunk of its own.
 */
async function warmed(pool: Pool, task: typeof tasks.exitOn150): Promise<Pool> {
  await pool.map(task, range(1000, 3000));
  return pool;
}

describe.each(matrix(import.meta.url))('a worker crash in an imap (%s)', (context) => {
  it('without chunksize, only the crashed item fails: every other item yields its value, in order', async () => {
    const pool = await warmed(makePool({ processes: 2, context }), tasks.exitOn150);
    expect(await drain(pool.imap(tasks.exitOn150, range(0, N)))).toEqual(expected([150]));
  }, 30_000);

  it('imapUnordered without chunksize: every item once, the crashed one as its error', async () => {
    const pool = await warmed(makePool({ processes: 2, context }), tasks.exitOn150);
    const seen = await drain(pool.imapUnordered(tasks.exitOn150, range(0, N)));
    expect(sorted(seen)).toEqual(sorted(expected([150])));
  }, 30_000);

  it('a crash in the items sent again after a crash fails only its own item too', async () => {
    const pool = await warmed(makePool({ processes: 2, context }), tasks.exitOnSeveral);
    expect(await drain(pool.imap(tasks.exitOnSeveral, range(0, N)))).toEqual(expected([150, 151, 160]));
  }, 30_000);

  it('with chunksize the chunk fails whole, as one task (taskIndex: the crashed item)', async () => {
    const pool = makePool({ processes: 2, context });
    const seen = await drain(pool.imap(tasks.exitOn150, range(0, N), { chunksize: 10 }));
    expect(seen).toEqual([...range(0, 150), 'E150', ...range(160, N)]);
  }, 30_000);

  it.each([10, undefined])(
    'map rejects with taskIndex naming the crashed item (chunksize %s)',
    async (chunksize) => {
      const pool = makePool({ processes: 2, context });
      // Item 150 is at input position 5: its chunk of 10 starts at 0.
      const error = await pool.map(tasks.exitOn150, range(145, 185), { chunksize }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect((error as WorkerCrashedError).taskIndex).toBe(5);
    },
    30_000,
  );
});

describe('a child process killed outright during an imap without chunksize', () => {
  it('fails only the item it was running, though it could not tell which', async () => {
    const pool = await warmed(makePool({ processes: 2, context: 'process' }), tasks.killOn150);
    expect(await drain(pool.imap(tasks.killOn150, range(0, N)))).toEqual(expected([150]));
  }, 30_000);
});
