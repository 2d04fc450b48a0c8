// The Pool's shared suite, in one context per test file (pool-thread, pool-process), so the two
// run side by side. Tests that only submit calls and leave the pool as it was use one pool per
// context (`shared`); tests that crash, recycle, close or count a pool's workers make their own.
import {
  AsyncResult,
  Pool,
  PoolClosedError,
  ProcessError,
  SerializationError,
  TimeoutError,
  ValidationError,
  WorkerCrashedError,
} from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

function* naturals(): Generator<number> {
  for (let i = 0; ; i++) yield i;
}

/** Declares the Pool suite of one context (call it at the top level of a test file). */
export function describePool(context: 'thread' | 'process'): void {
  const makePool = poolMaker();
  let shared: Pool;
  beforeAll(() => {
    shared = new Pool({ processes: 3, context });
  });
  afterAll(async () => {
    await shared.terminate();
  });

  describe(`Pool in ${context} context`, () => {
    it('maps in input order (Ans5)', async () => {
      const pool = makePool({ processes: 4, context });
      const results = await pool.map(tasks.square, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(results).toEqual([1, 4, 9, 16, 25, 36, 49, 64, 81, 100]);
      pool.close();
      await pool.join();
    });

    it('apply, starmap and async tasks', async () => {
      const pool = shared;
      expect(await pool.apply(tasks.add, [2, 3])).toBe(5);
      expect(
        await pool.starmap(tasks.add, [
          [1, 2],
          [3, 4],
        ]),
      ).toEqual([3, 7]);
      expect(await pool.map(tasks.asyncDouble, [1, 2, 3])).toEqual([2, 4, 6]);
      expect(await pool.map(tasks.square, [])).toEqual([]);
    });

    it('keeps order with random task durations, any chunksize', async () => {
      const pool = shared;
      const input = Array.from({ length: 40 }, (_, i) => i);
      const delays = input.map((i) => [(i * 7) % 5, i] as [number, number]);
      expect(await pool.starmap(tasks.sleepThen, delays, { chunksize: 1 })).toEqual(input);
      expect(await pool.starmap(tasks.sleepThen, delays, { chunksize: 100 })).toEqual(input);
      const big = Array.from({ length: 5000 }, (_, i) => i);
      expect(await pool.map(tasks.square, big)).toEqual(big.map((x) => x * x));
      expect(
        await pool.map(
          tasks.echo,
          big.map((x) => ({ x })),
        ),
      ).toEqual(big.map((x) => ({ x })));
    });

    it('applyAsync: awaitable AsyncResult with callbacks, get(ms), wait, ready, successful', async () => {
      const pool = shared;
      const seen: number[] = [];
      const r = pool.applyAsync(tasks.square, [7], { callback: (v) => seen.push(v) });
      expect(r).toBeInstanceOf(AsyncResult);
      expect(() => r.successful()).toThrow(ProcessError);
      expect(await r).toBe(49);
      expect(r.ready()).toBe(true);
      expect(r.successful()).toBe(true);
      expect(seen).toEqual([49]);
      const slow = pool.applyAsync(tasks.sleepThen, [300, 'late']);
      await expect(slow.get(10)).rejects.toBeInstanceOf(TimeoutError);
      expect(await slow.wait(5)).toBe(false);
      await expect(slow.get({ timeout: 10 })).rejects.toBeInstanceOf(TimeoutError);
      expect(await slow.wait({ timeout: 5 })).toBe(false);
      await expect(slow.get(true as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(slow.wait('5' as never)).rejects.toBeInstanceOf(ValidationError);
      expect(await slow.get()).toBe('late');
      const errors: unknown[] = [];
      const bad = pool.applyAsync(tasks.fail, ['nope'], { errorCallback: (e) => errors.push(e) });
      expect(await bad.wait()).toBe(true);
      expect(bad.successful()).toBe(false);
      expect(errors).toHaveLength(1);
    });

    it('rethrows a task error with its name, message, stack and cause', async () => {
      const pool = shared;
      const err: any = await pool.apply(tasks.fail, ['bad input']).catch((e: any) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect(err.name).toBe('TypeError');
      expect(err.message).toBe('bad input');
      expect(err.stack).toContain('pool-tasks');
      expect(err.cause).toBeInstanceOf(Error);
      expect(err.cause.message).toBe('the cause');
      expect(err.extra).toBe(42);
    });

    it('fails map on one bad item, leaves other calls alone', async () => {
      const pool = shared;
      const other = pool.map(tasks.square, [1, 2, 3]);
      await expect(pool.map(tasks.failOn, [10, 11, 12, 13, 14])).rejects.toThrow('unlucky 13');
      expect(await other).toEqual([1, 4, 9]);
    });

    it('imap yields results before the failed item, then throws at its position', async () => {
      const pool = shared;
      const seen: number[] = [];
      const run = async () => {
        for await (const v of pool.imap(tasks.failOn, [10, 11, 12, 13, 14], { chunksize: 2 })) seen.push(v);
      };
      await expect(run()).rejects.toThrow('unlucky 13');
      expect(seen).toEqual([10, 11, 12]);
    });

    it('imap over an endless generator: break stops reading input', async () => {
      const pool = shared;
      let read = 0;
      function* counted() {
        for (const n of naturals()) {
          read++;
          yield n;
        }
      }
      const out: number[] = [];
      for await (const v of pool.imap(tasks.square, counted(), { chunksize: 4, inflight: 2 })) {
        out.push(v);
        if (out.length === 10) break;
      }
      expect(out).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
      const readAtBreak = read;
      expect(readAtBreak).toBeLessThanOrEqual(10 + 4 * 3);
      await pool.apply(tasks.square, [1]);
      expect(read).toBe(readAtBreak);
    });

    it('imapUnordered yields every result, fast ones first', async () => {
      const pool = shared;
      const out: string[] = [];
      // Each item is the task's one argument: a two-argument task given [ms, value] items slept
      // for a NaN delay (Node 24 warns TimeoutNaNWarning) and returned undefined for both.
      for await (const v of pool.imapUnordered(
        tasks.sleepThenItem,
        [
          [500, 'slow'],
          [1, 'fast'],
        ],
        { chunksize: 1 },
      )) {
        out.push(String(v));
      }
      expect(out).toEqual(['fast', 'slow']);
    });

    it('imap accepts async iterables and reports progress', async () => {
      const pool = shared;
      async function* source() {
        for (let i = 1; i <= 6; i++) yield i;
      }
      const progress: number[] = [];
      const out: number[] = [];
      for await (const v of pool.imap(tasks.square, source(), {
        chunksize: 2,
        onProgress: (done) => progress.push(done),
      })) {
        out.push(v);
      }
      expect(out).toEqual([1, 4, 9, 16, 25, 36]);
      expect(progress.at(-1)).toBe(6);
    });

    it('an input iterable that throws fails the call with that very error', async () => {
      const pool = shared;
      const boom = new Error('input broke');
      function* source() {
        yield 1;
        yield 2;
        throw boom;
      }
      await expect(pool.map(tasks.square, source())).rejects.toBe(boom);
      const seen: number[] = [];
      const run = async () => {
        for await (const v of pool.imap(tasks.square, source(), { chunksize: 1 })) seen.push(v);
      };
      await expect(run()).rejects.toBe(boom);
      expect(seen).toEqual([1, 4]);
    });

    it('a worker that calls process.exit() mid-task rejects with WorkerCrashedError and is replaced', async () => {
      const pool = makePool({ processes: 2, context });
      const err: any = await pool.apply(tasks.exitWith, [3]).catch((e: any) => e);
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect(err.exitCode).toBe(3);
      const crash: any = await pool
        .map(tasks.exitOn, [1, 2, 3, 4, 5, 6, 7, 8], { chunksize: 1 })
        .catch((e: any) => e);
      expect(crash).toBeInstanceOf(WorkerCrashedError);
      expect(crash.taskIndex).toBe(4);
      expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
    });

    it('a worker that calls process.exit(-1) or exit(256) crashes with exitCode 255 or 0, as the OS reports', {
      timeout: 60_000,
    }, async () => {
      const pool = makePool({ processes: 1, context });
      const codes: unknown[] = [];
      for (const code of [-1, 256]) {
        const err: any = await pool.apply(tasks.exitWith, [code]).catch((e: any) => e);
        expect(err).toBeInstanceOf(WorkerCrashedError);
        codes.push(err.exitCode);
      }
      expect(codes).toEqual([255, 0]);
      expect(await pool.apply(tasks.square, [4])).toBe(16);
    });

    it('calls run in the order they were made, whatever their form (apply waits its turn like applyAsync)', async () => {
      const pool = makePool({ processes: 1, context });
      await pool.apply(tasks.square, [1]); // the worker is up and idle
      // Python's pool has one task queue: the first call made runs first. The awaited forms were
      // admitted a microtask later than the ...Async forms, so a later applyAsync jumped ahead.
      const calls = [
        pool.apply(tasks.logOrder, ['apply', 200]),
        pool.apply(tasks.logOrder, ['apply+timeout'], { timeout: 20_000 }),
        pool.apply(tasks.logOrder, ['apply+signal'], { signal: new AbortController().signal }),
        pool.map(tasks.logOrder, ['map']),
        pool.starmap(tasks.logOrder, [['starmap']]),
        pool.applyAsync(tasks.logOrder, ['applyAsync']),
        pool.mapAsync(tasks.logOrder, ['mapAsync']),
      ];
      await Promise.all(calls);
      expect(await pool.apply(tasks.logOrder, ['last'])).toEqual([
        ...['apply', 'apply+timeout', 'apply+signal', 'map', 'starmap', 'applyAsync', 'mapAsync'],
        'last',
      ]);
    });

    it('an uncaught error thrown later inside the worker is a crash too', async () => {
      const pool = makePool({ processes: 1, context });
      await expect(pool.apply(tasks.throwLater, [])).rejects.toBeInstanceOf(WorkerCrashedError);
      expect(await pool.apply(tasks.square, [4])).toBe(16);
    });

    it('timeout and abort stop a running task and the pool goes on', async () => {
      const pool = makePool({ processes: 1, context });
      await expect(pool.apply(tasks.hang, [], { timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
      const controller = new AbortController();
      const call = pool.apply(tasks.hang, [], { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('user gave up')), 20);
      const err: any = await call.catch((e: any) => e);
      expect(err.name).toBe('AbortError');
      expect(err.cause.message).toBe('user gave up');
      expect(await pool.apply(tasks.square, [3])).toBe(9);
    });

    // Five tasks, two per worker: a third worker must run one. Eight took four: in process context
    // 1.5 s of CPU (`/usr/bin/time`), five 1.3 s. 12.7 s beside every other suite on 2 cores (load
    // 10-36), 42% of core's 30 s, in either context: no timer, so it gets 60 s.
    it('maxTasksPerChild replaces workers', { timeout: 60_000 }, async () => {
      const pool = makePool({ processes: 2, context, maxTasksPerChild: 2 });
      const ids = await pool.map(
        tasks.workerIdentity,
        Array.from({ length: 5 }, (_, i) => i),
        { chunksize: 1 },
      );
      expect(new Set(ids).size).toBeGreaterThan(2);
    });

    it('runs the initializer in every worker before its tasks', async () => {
      const pool = makePool({ processes: 2, context, initializer: tasks.init, initargs: ['ready'] });
      const seen = await pool.map(tasks.readInit, [1, 2, 3, 4, 5, 6], { chunksize: 1 });
      expect(seen).toEqual(['ready', 'ready', 'ready', 'ready', 'ready', 'ready']);
    });

    it('a result that cannot be sent back rejects with SerializationError and the worker lives on', async () => {
      const pool = makePool({ processes: 1, context });
      const err: any = await pool.apply(tasks.returnFunction, []).catch((e: any) => e);
      expect(err).toBeInstanceOf(SerializationError);
      expect(err.path).toMatch(/^result/);
      expect(await pool.apply(tasks.square, [5])).toBe(25);
    });

    it.each([1, 3])(
      'an unsendable map result names its index in the call (chunksize %i)',
      async (chunksize) => {
        const pool = shared;
        const err: any = await pool
          .map(tasks.unsendableAt2, [0, 1, 2, 3], { chunksize })
          .catch((e: any) => e);
        expect(err).toBeInstanceOf(SerializationError);
        expect(err.path).toBe('result[2].f');
      },
    );

    it('an unsendable argument rejects naming its path', async () => {
      const pool = shared;
      const err: any = await pool.apply(tasks.echo, [{ onDone: () => 1 }]).catch((e: any) => e);
      expect(err).toBeInstanceOf(SerializationError);
      expect(err.path).toBe('args[0].onDone');
    });

    it('close() refuses new work, join() waits for the rest', async () => {
      const pool = makePool({ processes: 2, context });
      const pending = pool.map(
        tasks.sleepThen,
        [20, 20, 20].map(() => 20),
      );
      pool.close();
      await expect(pool.apply(tasks.square, [1])).rejects.toBeInstanceOf(PoolClosedError);
      expect(() => pool.applyAsync(tasks.square, [1])).toThrow(PoolClosedError);
      expect(() => pool.imap(tasks.square, [1])).toThrow(PoolClosedError);
      await pool.join();
      expect(await pending).toHaveLength(3);
    });

    it('terminate() rejects pending calls with PoolClosedError', async () => {
      const pool = makePool({ processes: 1, context });
      const running = pool.apply(tasks.hang, []);
      const queued = pool.apply(tasks.square, [2]);
      const outcomes = Promise.allSettled([running, queued]);
      await new Promise((r) => setTimeout(r, 50));
      await pool.terminate();
      const [a, b] = await outcomes;
      expect(a.status === 'rejected' && a.reason).toBeInstanceOf(PoolClosedError);
      expect(b.status === 'rejected' && b.reason).toBeInstanceOf(PoolClosedError);
      await expect(pool.map(tasks.square, [1])).rejects.toBeInstanceOf(PoolClosedError);
    });

    it('join() before close() rejects', async () => {
      const pool = makePool({ processes: 1, context });
      await expect(pool.join()).rejects.toBeInstanceOf(ProcessError);
    });

    it('reports stats', async () => {
      const pool = makePool({ processes: 2, context });
      await pool.map(tasks.square, [1, 2, 3, 4], { chunksize: 1 });
      const stats = pool.stats();
      expect(stats.completed).toBeGreaterThanOrEqual(4);
      expect(stats.queued).toBe(0);
      expect(stats.busy).toBe(0);
    });
  });
}
