// How a pool's workers start: Python's `Pool` starts its workers at construction, each running the
// initializer (CPython `_TestInitializers.test_pool_initializer`: `Pool(1, initializer, (ns,))`,
// `close()`, `join()`, and the initializer ran, with no task submitted).
import { currentProcess } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/pool-start-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const queues: Queue<unknown>[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.close();
});

describe.each(matrix(import.meta.url))('pool start-up (%s)', (context) => {
  it('runs the initializer with no task submitted, before join() resolves', { timeout: 60_000 }, async () => {
    const q = new Queue<string>();
    queues.push(q);
    const pool = makePool({ processes: 1, context, initializer: t.report, initargs: [q] });
    pool.close();
    await pool.join();
    const worker = await q.get({ timeout: 10_000 });
    expect(typeof worker).toBe('string');
    expect(q.empty()).toBe(true); // once: one worker
  });

  it("gives a worker started later the program's env of that moment (a replacement, maxTasksPerChild)", {
    timeout: 60_000,
  }, async () => {
    const name = `MP_POOL17_${context.toUpperCase()}`;
    process.env[name] = 'at creation';
    try {
      // Each worker runs one task; its replacement starts as it retires, before the next call.
      const pool = makePool({ processes: 1, context, maxTasksPerChild: 1 });
      expect(await pool.apply(t.env, [name])).toBe('at creation');
      process.env[name] = 'later';
      await pool.apply(t.env, [name]); // the worker started as the first retired
      expect(await pool.apply(t.env, [name])).toBe('later');
      delete process.env[name];
      // A worker that crashed is replaced by one started after the change too.
      const crash = await pool.apply(t.exit, [3]).catch((error: Error) => error);
      expect((crash as Error).name).toBe('WorkerCrashedError');
      expect(await pool.apply(t.env, [name])).toBe(null);
    } finally {
      delete process.env[name];
    }
  });

  it("starts a later pool's workers with the program's env and name of their start, numbered from 1", {
    timeout: 60_000,
  }, async () => {
    // The pool's own env object is only a key once an earlier pool's worker class was wrapped
    // (issue #18): each worker's env is still made as the worker starts, after new Pool() returned.
    const name = `MP_POOL59_${context.toUpperCase()}`;
    const earlier = makePool({ processes: 1, context });
    expect(await earlier.apply(t.env, [name])).toBe(null);
    const me = currentProcess();
    const pool = makePool({ processes: 2, context });
    process.env[name] = 'set after new Pool()';
    me.name = 'Renamed59';
    try {
      const seen = await pool.apply(t.started, [name]);
      expect(seen.env).toBe('set after new Pool()');
      expect(seen.parent).toBe('Renamed59');
      expect(seen.own).toMatch(/-[12]$/);
    } finally {
      delete process.env[name];
      me.name = 'MainProcess';
    }
  });

  it('runs the initializer in the started workers, each once, with tasks after it', {
    timeout: 60_000,
  }, async () => {
    const q = new Queue<string>();
    queues.push(q);
    const pool = makePool({ processes: 2, context, initializer: t.report, initargs: [q] });
    expect(await pool.map(t.square, [1, 2, 3, 4], { chunksize: 1 })).toEqual([1, 4, 9, 16]);
    pool.close();
    await pool.join();
    const ran: string[] = [];
    while (ran.length < 2) {
      const next = await q.get({ timeout: 2000 }).catch(() => undefined);
      if (next === undefined) break;
      ran.push(next);
    }
    expect(ran.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ran).size).toBe(ran.length); // never twice in one worker
  });
});
