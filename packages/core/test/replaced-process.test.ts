// A task that replaces `globalThis.process` in its worker (tinypool's suite, test/globals.test.ts:
// "doesn't hang when process is overwritten"). The worker's own code and tinypool's read the global
// to time, send and report: a thread's call failed with a SerializationError and every later call
// of its pool with another ("MessagePort in transfer list is already detached"); a child died with
// exit code 7 (WorkerCrashedError). Now the call settles as the task did, every path that runs a
// task (apply, a map chunk, the initializer, a Process target) puts Node's `process` back, and the
// pool runs on. A Process target that replaced it and returned ended with exit code 1, not 0.
// A global the worker's code needs and cannot put back (a thread's `Atomics`) ends the worker: the
// call fails with WorkerCrashedError (the error as cause), where the pool failed every later call.
import { Pool, Process, WorkerCrashedError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks as t } from './fixtures/replaced-process-tasks.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

function makePool(options: ConstructorParameters<typeof Pool>[0]): Pool {
  const pool = new Pool(options);
  pools.push(pool);
  return pool;
}

describe.each(matrix(import.meta.url))('a task that replaces globalThis.process, %s context', (context) => {
  it('resolves through the replacement; the same worker runs the next calls with its own process', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    expect(await pool.apply(t.viaFakeExit)).toBe('exit() from overwritten process');
    expect(await pool.apply(t.realProcess)).toBe(true);
    await expect(pool.apply(t.deleteThenThrow)).rejects.toThrow(RangeError);
    expect(await pool.apply(t.realProcess)).toBe(true);
    expect(pool.stats()).toMatchObject({ completed: 3, failed: 1 });
  });

  it('in every item of a map chunk, and in the initializer', { timeout: 20_000 }, async () => {
    const pool = makePool({ processes: 1, context, initializer: t.replaceInInit });
    const items = Array.from({ length: 300 }, (_, i) => i);
    expect(await pool.map(t.replaceThenReturn, items, { chunksize: 100 })).toEqual(items.map((x) => x + 1));
    const seen: number[] = [];
    for await (const v of pool.imap(t.replaceThenReturn, [1, 2, 3])) seen.push(v);
    expect(seen).toEqual([2, 3, 4]);
    expect(await pool.apply(t.realProcess)).toBe(true);
  });

  it('a Process target that replaced it ends with 0 when it returns, 1 when it throws', {
    timeout: 20_000,
  }, async () => {
    for (const [target, code] of [
      [t.replaceInInit, 0],
      [t.deleteThenThrow, 1],
    ] as const) {
      const p = new Process({ target, context, args: [] });
      p.start();
      await p.join(10_000);
      expect(p.exitCode).toBe(code);
    }
  });
});

describe('a task that breaks a global a worker thread answers with, thread context', () => {
  it('its call fails with WorkerCrashedError carrying the error; the worker is replaced and the pool runs on', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context: 'thread' });
    const err = await pool.apply(t.breakAtomics).then(
      () => undefined,
      (e: unknown) => e as WorkerCrashedError,
    );
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err?.cause as Error | undefined)?.message).toMatch(/Atomics/);
    expect(await pool.apply(t.realProcess)).toBe(true);
    expect(await pool.map(t.replaceThenReturn, [1, 2, 3])).toEqual([2, 3, 4]);
  });
});

describe('a task that replaces globalThis.Promise, process context', () => {
  it('its call fails with WorkerCrashedError carrying the error, not a SerializationError about its arguments; calls queued behind it run', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool({ processes: 1, context: 'process' });
    expect(await pool.apply(t.realProcess)).toBe(true);
    const bad = pool.apply(t.breakPromise).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const queued = [1, 2, 3].map(() => pool.apply(t.realProcess));
    const err = await bad;
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err?.cause as Error | undefined)?.message).toMatch(/no promises here/);
    expect(await Promise.all(queued)).toEqual([true, true, true]);
    expect(await pool.apply(t.realProcess)).toBe(true);
  });
});
