// A worker that dies while it imports a call's task module, before the task function was called,
// failed that call with WorkerCrashedError ("the worker running this task ..."): the worker claimed
// the job (told the host it started) before loading its module. The call had not started, so it
// runs on the replacement worker, as every call sent to a dead worker that had not started does
// (CONTRACT, Pool). Found by the randomized schedules of pool-chaos-57 (a SIGKILL from outside,
// landing while a fresh worker imported its first task's module).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerCrashedError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { MAX_UNSTARTED_DEATHS } from '../src/pool/dispatcher.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/import-exits-once.mjs';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as other } from './fixtures/unstarted-tasks.mjs';
import { poolMaker } from './helpers.ts';

describe.each(matrix(import.meta.url))('a worker that dies importing a task module (%s)', (context) => {
  const makePool = poolMaker();

  it('runs the calls it held on the replacement worker', { timeout: 20_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multiproc-load-death-'));
    process.env.MULTIPROC_TEST_IMPORT_EXIT_MARK = join(dir, 'exited');
    try {
      const pool = makePool({ processes: 1, context });
      let crashes = 0;
      pool.on('crash', () => crashes++);
      const results = await Promise.allSettled([
        pool.apply(tasks.triple, [2]),
        pool.map(tasks.triple, [1, 2, 3], { chunksize: 1 }),
      ]);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([
        6,
        [3, 6, 9],
      ]);
      expect(crashes).toBe(1);
    } finally {
      delete process.env.MULTIPROC_TEST_IMPORT_EXIT_MARK;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The worker ran the pool's initializer first, in the same batch (a replacement's first call
  // carries it): a death as it then loaded the module was taken for the initializer's (a thread's phase word, a child's last progress message, still said so), and
  // failed every call it held with the initializer's WorkerCrashedError.
  it('runs them on the replacement after the pool initializer ran too', { timeout: 20_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multiproc-load-death-'));
    process.env.MULTIPROC_TEST_IMPORT_EXIT_MARK = join(dir, 'exited');
    try {
      const pool = makePool({ processes: 1, context, initializer: other.who, maxTasksPerChild: 1 });
      await pool.apply(other.who, []); // its worker retires: the replacement's first batch runs the initializer
      const results = await Promise.allSettled([
        pool.apply(tasks.triple, [2]),
        pool.apply(tasks.triple, [3]),
      ]);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([6, 9]);
    } finally {
      delete process.env.MULTIPROC_TEST_IMPORT_EXIT_MARK;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a call whose module kills every worker that loads it, after a bounded number of deaths', {
    timeout: 20_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multiproc-load-death-'));
    process.env.MULTIPROC_TEST_IMPORT_EXIT_MARK = join(dir, 'exited');
    process.env.MULTIPROC_TEST_IMPORT_EXIT_ALWAYS = '1';
    try {
      const pool = makePool({ processes: 1, context });
      let crashes = 0;
      pool.on('crash', () => crashes++);
      const error = await pool.apply(tasks.triple, [2]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect((error as WorkerCrashedError).exitCode).toBe(7);
      // Not memory: the advice names the module's top level, not the heap limit.
      expect((error as Error).message).toMatch(/ends the worker as it loads: a process\.exit\(\)/);
      expect((error as Error).message).toContain('`if (isMain()) { ... }`');
      expect((error as Error).message).not.toMatch(/heap limit/);
      expect(crashes).toBeGreaterThan(1);
      expect(crashes).toBeLessThanOrEqual(MAX_UNSTARTED_DEATHS);
    } finally {
      delete process.env.MULTIPROC_TEST_IMPORT_EXIT_MARK;
      delete process.env.MULTIPROC_TEST_IMPORT_EXIT_ALWAYS;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
