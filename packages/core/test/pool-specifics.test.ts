// Pool behaviour that needs one context or none: process kills, resource limits, option checks,
// types, maxQueue, growing and shrinking, and `await using`. The shared suite is pool.ts.
import {
  type AsyncResult,
  ContextError,
  Pool,
  PoolClosedError,
  QueueFullError,
  ValidationError,
  WorkerCrashedError,
} from '@multiproc/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
describe('Pool specifics', () => {
  it('SIGKILL of a process worker mid-map: the other items succeed, the call rejects, no hang', async () => {
    const pool = makePool({ processes: 2, context: 'process' });
    const err: any = await pool
      .map(tasks.killSelfOn, [1, 2, 3, 4, 5, 6, 7, 8], { chunksize: 1 })
      .catch((e: any) => e);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err.signal).toBe('SIGKILL');
    expect(err.exitCode).toBeNull();
    expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
  });

  for (const context of ['thread', 'process'] as const) {
    it(`out of memory under resourceLimits (${context}) is a WorkerCrashedError saying memory, reason 'out of memory'; the pool goes on`, {
      timeout: 60_000,
    }, async () => {
      const pool = makePool({ processes: 1, context, resourceLimits: { maxOldGenerationSizeMb: 32 } });
      const err: any = await pool.apply(tasks.allocate, []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect(err.reason).toBe('out of memory');
      expect(err.message).toMatch(/ran out of memory/);
      expect(err.message).toMatch(/resourceLimits\.maxOldGenerationSizeMb/);
      // A thread ends with code 1, a child process is aborted by V8.
      if (context === 'thread') expect([err.exitCode, err.signal]).toEqual([1, null]);
      else expect([err.exitCode, err.signal]).toEqual([null, 'SIGABRT']);
      expect(await pool.apply(tasks.square, [6])).toBe(36);
    });
  }

  it('a worker that exits on its own has reason null and no word of memory', async () => {
    const pool = makePool({ processes: 1 });
    const err: any = await pool.apply(tasks.exitWith, [3]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err.reason).toBeNull();
    expect(err.message).not.toMatch(/memory/);
  });

  it('validates options and tasks', async () => {
    expect(() => new Pool({ processes: 0 })).toThrow(ValidationError);
    expect(() => new Pool({ processes: -1 })).toThrow(ValidationError);
    expect(() => new Pool({ processes: 1.5 })).toThrow(ValidationError);
    expect(() => new Pool({ maxTasksPerChild: 0 })).toThrow(ValidationError);
    expect(() => new Pool({ context: 'fork' as never })).toThrow(ValidationError);
    try {
      new Pool({ processes: 0 });
    } catch (error) {
      expect((error as Error).message).toContain('processes');
    }
    const pool = makePool({ processes: 1 });
    await expect(pool.apply((() => 1) as any, [])).rejects.toBeInstanceOf(ValidationError);
    expect(() => pool.applyAsync((() => 1) as any, [])).toThrow(ValidationError);
  });

  it('refuses shared memory for a process pool as the rejection of the call', async () => {
    const pool = makePool({ processes: 1, context: 'process' });
    const err: any = await pool
      .apply(tasks.echo, [new Int32Array(new SharedArrayBuffer(8))])
      .catch((e: any) => e);
    expect(err).toBeInstanceOf(ContextError);
    expect(err.message).toContain('args[0]');
  });

  it('types results from the task', async () => {
    const pool = makePool({ processes: 1 });
    const mapped = pool.map(tasks.square, [1]);
    const applied = pool.apply(tasks.add, [1, 2]);
    const later = pool.applyAsync(tasks.asyncDouble, [1]);
    expectTypeOf(mapped).resolves.toEqualTypeOf<number[]>();
    expectTypeOf(applied).resolves.toEqualTypeOf<number>();
    expectTypeOf(later).toEqualTypeOf<AsyncResult<number>>();
    expect(await Promise.all([mapped, applied, later])).toEqual([[1], 3, 2]);
  });

  it('maxQueue: async submissions past it throw QueueFullError, awaited ones wait for room', async () => {
    // One worker: two batches may be handed to tinypool, the rest wait in the pool's own queue.
    const pool = makePool({ processes: 1, maxQueue: 1 });
    const calls = [pool.apply(tasks.sleepThen, [100, 'a'])];
    await new Promise((r) => setTimeout(r, 20));
    calls.push(pool.apply(tasks.sleepThen, [1, 'b']), pool.apply(tasks.echo, ['c']));
    await expect.poll(() => pool.stats().queued).toBe(1);
    expect(() => pool.applyAsync(tasks.echo, ['d'])).toThrow(QueueFullError);
    calls.push(pool.apply(tasks.echo, ['e']));
    expect(await Promise.all(calls)).toEqual(['a', 'b', 'c', 'e']);
  });

  it('grows from minProcesses on demand and shrinks after idleTimeout', async () => {
    const pool = makePool({ processes: 3, minProcesses: 1, idleTimeout: 100 });
    // Counted by events: on a loaded machine the first worker may run all three items before a
    // second one is up, and an idle extra worker may already be gone when stats() is read.
    let created = 0;
    pool.on('workerCreate', () => created++);
    await pool.map(
      tasks.sleepThen,
      [
        [30, 1],
        [30, 2],
        [30, 3],
      ] as never,
      { chunksize: 1 },
    );
    expect(created).toBeGreaterThan(1);
    await expect.poll(() => pool.stats().workers, { timeout: 5000 }).toBe(1);
  });

  it('await using terminates the pool', async () => {
    let escaped: Pool | undefined;
    {
      await using pool = new Pool({ processes: 1 });
      escaped = pool;
      expect(await pool.apply(tasks.square, [2])).toBe(4);
    }
    await expect(escaped.apply(tasks.square, [2])).rejects.toBeInstanceOf(PoolClosedError);
  });
});
