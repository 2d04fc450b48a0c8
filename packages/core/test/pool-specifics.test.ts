// Pool behaviour that needs one context or none: process kills, resource limits, option checks,
// types, maxQueue, growing and shrinking, and `await using`. The shared suite is pool.ts.
import {
  type AsyncResult,
  ContextError,
  Pool,
  PoolClosedError,
  QueueFullError,
  SerializationError,
  TimeoutError,
  ValidationError,
  WorkerCrashedError,
} from '@multiproc/core';
import { Pipe } from '@multiproc/ipc';
import { Event } from '@multiproc/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as edge } from './fixtures/edge-tasks.mjs';
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

  for (const context of matrix(import.meta.url)) {
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

  it('a shared-memory result from a process worker rejects with SerializationError naming result…', async () => {
    const pool = makePool({ processes: 1, context: 'process' });
    const err: any = await pool.apply(tasks.sharedResult, []).catch((e: any) => e);
    expect(err).toBeInstanceOf(SerializationError);
    expect(err.path).toBe('result.v[0]');
    expect(err.message).toMatch(/back to the parent process/);
    // The worker lives on: the next call runs.
    expect(await pool.apply(tasks.echo, [5])).toBe(5);
  }, 30_000);

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

  it('maxQueue counts a call handed ahead to a busy worker as queued: one runs, one waits, the next is refused', async () => {
    const pool = makePool({ processes: 1, maxQueue: 1, context: 'thread' });
    const ev = new Event();
    const first = pool.apply(edge.waitFor, [ev]);
    await expect.poll(() => pool.stats(), { timeout: 15_000 }).toMatchObject({ busy: 1, queued: 0 });
    const second = pool.applyAsync(edge.echo, ['b']);
    // However long it waits, a call not started is queued, wherever the pool keeps it.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1 });
    expect(() => pool.applyAsync(edge.echo, ['c'])).toThrow(QueueFullError);
    expect(() => pool.mapAsync(edge.echo, ['c'])).toThrow(QueueFullError);
    // The forms that return no Promise cannot wait: the error names the call and the forms that do.
    expect(() => pool.imap(edge.echo, ['c'])).toThrow(
      /maxQueue 1\) and imap\(\) does not wait for room: .*apply\(\), map\(\) or starmap\(\), which wait/,
    );
    expect(() => pool.imapUnordered(edge.echo, ['c'])).toThrow(QueueFullError);
    const waiting = pool.apply(edge.echo, ['d']);
    ev.set();
    expect(await Promise.all([first, second, waiting])).toEqual(['released', 'b', 'd']);
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0 });
  });

  it.each([
    ['a warm, idle pool', 1, true],
    ['a new pool whose workers are still starting', 2, false],
  ] as const)(
    'maxQueue: a burst of applyAsync calls on %s fills the free workers first, then the queue',
    async (_, processes, warm) => {
      const pool = makePool({ processes, maxQueue: processes, context: 'thread' });
      if (warm) await pool.apply(edge.echo, ['warm']);
      const ev = new Event();
      // In one turn: none is posted to a worker yet, but `processes` of them will run at once.
      const taken = Array.from({ length: 2 * processes }, () => pool.applyAsync(edge.waitFor, [ev]));
      expect(() => pool.applyAsync(edge.echo, ['over'])).toThrow(QueueFullError);
      ev.set();
      expect(await Promise.all(taken)).toEqual(taken.map(() => 'released'));
    },
  );

  it.each(matrix(import.meta.url))(
    'maxQueue: an awaited map waiting for room goes on when map chunks (not only apply calls) finish (%s)',
    async (context) => {
      const pool = makePool({ processes: 1, maxQueue: 1, context });
      const [release, gate] = Pipe();
      const running = pool.mapAsync(edge.recvThen, [gate]);
      await expect.poll(() => pool.stats().busy, { timeout: 15_000 }).toBe(1);
      const queued = pool.mapAsync(edge.echo, ['b']);
      await expect.poll(() => pool.stats().queued, { timeout: 15_000 }).toBe(1);
      const waiting = pool.map(edge.echo, ['c']);
      release.send('a');
      expect(await Promise.all([running, queued, waiting])).toEqual([['a'], ['b'], ['c']]);
      release.close();
      gate.close();
    },
  );

  it('maxQueue: an awaited map waiting for room obeys its timeout and signal; the room it gave up goes to the next call', async () => {
    const pool = makePool({ processes: 1, maxQueue: 1, context: 'thread' });
    const ev = new Event();
    const first = pool.apply(edge.waitFor, [ev]);
    await expect.poll(() => pool.stats(), { timeout: 15_000 }).toMatchObject({ busy: 1, queued: 0 });
    const second = pool.applyAsync(edge.echo, ['b']);
    await expect.poll(() => pool.stats().queued, { timeout: 15_000 }).toBe(1);
    // Both wait for room; each must end by its own timeout or abort while the queue stays full,
    // and never run (they used to wait for room first and only then watch the signal and timeout).
    const settledWithin = (p: Promise<unknown>) =>
      Promise.race([
        p.then(
          () => 'resolved',
          (e: Error) => e.name,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5000)),
      ]);
    const timed = pool.map(edge.echo, ['t'], { timeout: 50 });
    const controller = new AbortController();
    const aborted = pool.starmap(edge.echo, [['a']], { signal: controller.signal });
    controller.abort();
    expect(await settledWithin(aborted)).toBe('AbortError');
    expect(await settledWithin(timed)).toBe('TimeoutError');
    // The room each was to be woken for passes on: a later map still runs once there is room.
    const later = pool.map(edge.echo, ['c']);
    ev.set();
    expect(await Promise.all([first, second, later])).toEqual(['released', 'b', ['c']]);
  });

  it("maxQueue: the time an awaited map waited for room counts toward its timeout, as an apply's does", async () => {
    const pool = makePool({ processes: 1, maxQueue: 1, context: 'thread' });
    const [running, held] = [new Event(), new Event()];
    const first = pool.apply(edge.waitFor, [running]);
    await expect.poll(() => pool.stats(), { timeout: 15_000 }).toMatchObject({ busy: 1, queued: 0 });
    const second = pool.applyAsync(edge.echo, ['b']);
    await expect.poll(() => pool.stats().queued, { timeout: 15_000 }).toBe(1);
    // Submitted now with 700 ms; room comes after 600 ms, its task is released after 1000 ms: past
    // the deadline from submission, well before one counted from the room (1300 ms).
    const timed = pool.map(edge.waitFor, [held], { timeout: 700 }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 600));
    running.set();
    await new Promise((resolve) => setTimeout(resolve, 400));
    held.set();
    expect(await timed).toBeInstanceOf(TimeoutError);
    expect(await Promise.all([first, second])).toEqual(['released', 'b']);
  });

  it.each(matrix(import.meta.url))(
    'maxQueue: calls still waiting for room when close() is called run before join() resolves; terminate() fails them (%s)',
    async (context) => {
      const pool = makePool({ processes: 1, maxQueue: 1, context });
      const [release, gate] = Pipe();
      const running = pool.apply(edge.recvThen, [gate]);
      const queued = pool.apply(edge.echo, ['b']);
      const waiting = pool.apply(edge.echo, ['c']);
      const mapped = pool.map(edge.echo, ['d', 'e'], { chunksize: 1 });
      pool.close();
      expect(() => pool.applyAsync(edge.echo, ['new'])).toThrow(PoolClosedError);
      release.send('a');
      expect(await Promise.all([running, queued, waiting, mapped])).toEqual(['a', 'b', 'c', ['d', 'e']]);
      await pool.join();
      release.close();
      gate.close();

      const doomed = makePool({ processes: 1, maxQueue: 1, context });
      const [hold, held] = Pipe();
      const busy = doomed.apply(edge.recvThen, [held]).catch((e: unknown) => e);
      const late = doomed.apply(edge.echo, ['y']).catch((e: unknown) => e);
      doomed.close();
      await doomed.terminate();
      expect(await late).toBeInstanceOf(PoolClosedError);
      expect(((await late) as Error).message).toMatch(/terminated before this task finished/);
      expect(await busy).toBeInstanceOf(PoolClosedError);
      hold.close();
      held.close();
    },
  );

  it('grows from minProcesses on demand and shrinks after idleTimeout', async () => {
    const pool = makePool({ processes: 3, minProcesses: 1, idleTimeout: 100 });
    // Counted by events: on a loaded machine the first worker may run all three items before a
    // second one is up, and an idle extra worker may already be gone when stats() is read.
    let created = 0;
    pool.on('workerCreate', () => created++);
    // starmap: each item is the task's argument list (map gave sleepThen the pair as its delay).
    await pool.starmap(
      tasks.sleepThen,
      [
        [30, 1],
        [30, 2],
        [30, 3],
      ],
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

  it.each(matrix(import.meta.url))(
    'a call returned un-awaited from an await using block (%s) rejects saying the block ended it',
    async (context) => {
      // Python's `with Pool() as pool: return pool.map(...)`, ported word for word.
      const findSums = async (items: number[]) => {
        await using pool = new Pool({ processes: 1, context });
        return pool.map(tasks.square, items);
      };
      const error = await findSums([1, 2, 3]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PoolClosedError);
      expect((error as Error).message).toMatch(/`await using` block ended.*return await pool\.map/);
      // terminate() called by the program says nothing of a block.
      const pool = makePool({ processes: 1, context });
      const pending = pool.apply(tasks.sleepThen, [60_000, 'late']);
      await pool.terminate();
      const terminated = await pending.catch((e: unknown) => e);
      expect(terminated).toBeInstanceOf(PoolClosedError);
      expect((terminated as Error).message).not.toMatch(/await using/);
    },
  );
});
