// A task reference given to a task (or a Process target) as an argument can be called there, though
// the worker never imported its module: the worker imports it before the call, as Python's
// unpickling imports a function's module (`pool.apply(run, (other.f, 4))` works in Python).
import { Pool, Process, ProcessError } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { Barrier } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/ref-args/callers.mjs';
import { tasks as failing } from './fixtures/ref-args/fails-in-workers.mjs';
import { tasks as other } from './fixtures/ref-args/other.mjs';

const pools: Pool[] = [];
const made = (pool: Pool): Pool => {
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

describe.each(matrix(import.meta.url))(
  'a task reference of a module the worker never imported, %s context',
  (context) => {
    it('is callable in apply, map items, starmap and the initializer', { timeout: 60_000 }, async () => {
      const pool = made(
        new Pool({ processes: 1, context, initializer: tasks.remember, initargs: [other.later] }),
      );
      expect(await pool.apply(tasks.call, [other.double, 4])).toBe(8);
      expect(await pool.apply(tasks.call, [other.later, 4])).toBe(5);
      expect(await pool.apply(tasks.callRemembered, [9])).toBe(10);
      expect(await pool.map(tasks.callEach, [[[other.double, 1]], [[other.later, 2]]])).toEqual([[2], [3]]);
      expect(
        await pool.starmap(tasks.callStar, [
          [other.double, 5],
          [other.later, 5],
        ]),
      ).toEqual([10, 6]);
    });

    it('is callable in a Process target', { timeout: 60_000 }, async () => {
      const q = new Queue<number>();
      const p = new Process({ target: tasks.callInto, args: [other.double, 21, q], context });
      p.start();
      expect(await q.get({ timeout: 20_000 })).toBe(42);
      await p.join();
      expect(p.exitCode).toBe(0);
    });

    it('whose module cannot be imported there fails that call only', { timeout: 60_000 }, async () => {
      const pool = made(new Pool({ processes: 1, context }));
      const err = await pool.apply(tasks.call, [failing.one, 0]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProcessError);
      expect((err as Error).message).toMatch(/fails-in-workers\.mjs: not importable in a worker/);
      expect(await pool.apply(tasks.call, [other.double, 3])).toBe(6);
    });

    it('received from a queue, not as an argument, leaves the next calls alone', {
      timeout: 60_000,
    }, async () => {
      const pool = made(new Pool({ processes: 1, context }));
      const q = new Queue<unknown>();
      await q.put(failing.one);
      await q.put(failing.one);
      // get() imports its module before it resolves (task-ref-receive.test.ts): that fails here.
      await expect(pool.apply(tasks.takeOnly, [q])).rejects.toBeInstanceOf(ProcessError);
      // getNowait() does not: the reference comes, and its module is not imported for the next call.
      expect(await pool.apply(tasks.takeNowait, [q])).toBe('function');
      expect(await pool.apply(tasks.call, [other.double, 3])).toBe(6);
      expect(await pool.map(tasks.callEach, [[[other.later, 1]]])).toEqual([[2]]);
    });
  },
);

describe('a Barrier whose action is a task reference of a module the worker never imported', () => {
  it.each([false, true])(
    'runs it in a thread party that arrives last (waitSync: %s)',
    { timeout: 60_000 },
    async (sync) => {
      const barrier = new Barrier(2, { action: other.mark });
      const p = new Process({ target: tasks.lastParty, args: [barrier, 1, sync] });
      p.start();
      expect(await barrier.wait(20_000)).toBe(0);
      await p.join();
      expect(p.exitCode).toBe(0);
      expect(barrier.broken).toBe(false);
    },
  );
});
