// A pool worker that dies of an error thrown from a task's timer (or of an unhandled rejection)
// while the task runs: the call rejects with WorkerCrashedError whose `cause` is that error, in
// both contexts (a worker process sends it before Node prints it and exits), and Node's own
// output on stderr and exit code stay as they were.
import { WorkerCrashedError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

async function crashOf(promise: Promise<unknown>): Promise<WorkerCrashedError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkerCrashedError);
  return err as WorkerCrashedError;
}

// Each test starts a worker, waits for it to die and (the first two) for its replacement. Starting
// a child took 2.5-10 s of wall time at a load of 20-33 on 2 cores (pool-replace.test.ts): the first
// test here took past its 20 s and the second 17.7 s in one full-tier run. Twice that.
const CRASH_MS = 40_000;

describe.each(matrix(import.meta.url))('a pool worker crash in the %s context', (context) => {
  const makePool = poolMaker();

  it(
    "has the error a task's timer threw as its cause, and the pool goes on",
    async () => {
      const pool = makePool({ processes: 1, context });
      const err = await crashOf(pool.apply(tasks.throwLater, []));
      expect(err.exitCode).toBe(1);
      expect(err.cause).toBeInstanceOf(Error);
      expect((err.cause as Error).message).toBe('uncaught in worker');
      expect((err.cause as Error).stack).toContain('pool-tasks');
      expect(await pool.apply(tasks.square, [6])).toBe(36);
    },
    CRASH_MS,
  );

  it(
    'has the unhandled rejection it died of as its cause, with its class',
    async () => {
      const pool = makePool({ processes: 1, context });
      const crashed = new Promise<{ cause?: unknown }>((resolve) => pool.once('crash', resolve));
      const err = await crashOf(pool.apply(tasks.rejectStray, []));
      expect(err.exitCode).toBe(1);
      expect(err.cause).toBeInstanceOf(RangeError);
      expect((err.cause as Error).message).toBe('stray rejection in worker');
      expect((await crashed).cause).toBe(err.cause);
      expect(await pool.apply(tasks.square, [3])).toBe(9);
    },
    CRASH_MS,
  );

  it(
    'has a thrown non-Error value as its cause, as thrown',
    async () => {
      const pool = makePool({ processes: 1, context });
      const err = await crashOf(pool.apply(tasks.throwStringLater, []));
      expect(err.cause).toBe('thrown text');
    },
    CRASH_MS,
  );
});
