// Cases of CPython's Lib/test/_test_multiprocessing.py (_TestPool, _TestPoolWorkerErrors,
// _TestPoolWorkerLifetime, _TestQueue, _TestLock, _TestSemaphore, _TestCondition, _TestEvent,
// _TestBarrier, _TestValue, _TestArray, _TestContainers) ported to this API: camelCase names,
// Promises, milliseconds, `{ timeout }` options. Each runs with real workers in both contexts where
// Python runs it with processes; where JavaScript or the contract differs, the case says so.
import mp, {
  BrokenBarrierError,
  ClosedError,
  getContext,
  JoinableQueue,
  LockError,
  Manager,
  Pool,
  PoolClosedError,
  type Process,
  Queue,
  QueueEmptyError,
  QueueFullError,
  RawArray,
  RawValue,
  SerializationError,
  SharedArray,
  type SyncManager,
  TimeoutError,
  ValidationError,
  Value,
} from '@multiproc/multiproc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/cpython-port-29-tasks.mjs';

type Context = 'thread' | 'process';
const CONTEXTS: Context[] = ['thread', 'process'];

const pools: Pool[] = [];
const processes: Process[] = [];
const queues: { close(): void }[] = [];

/** A pool the test's end terminates. */
function pool(options: ConstructorParameters<typeof Pool>[0]): Pool {
  const p = new Pool(options);
  pools.push(p);
  return p;
}

/** A started Process the test's end kills if it still runs. */
function start(context: Context, target: Parameters<typeof mp.Process>[0]['target'], args: unknown[]): Process {
  const p = new mp.Process({ target, args, context });
  processes.push(p);
  p.start();
  return p;
}

function queue<T>(options?: ConstructorParameters<typeof Queue<T>>[0]): Queue<T> {
  const q = new Queue<T>(options);
  queues.push(q);
  return q;
}

afterEach(async () => {
  for (const p of processes.splice(0)) if (p.isAlive()) p.kill();
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
  for (const q of queues.splice(0)) q.close();
});

class SayWhenError extends RangeError {
  override name = 'SayWhenError';
}

/** Python's `exception_throwing_generator(total, when)`. */
function* throwingGenerator(total: number, when: number): Generator<number> {
  if (when === -1) throw new SayWhenError('Somebody said when');
  for (let i = 0; i < total; i += 1) {
    if (i === when) throw new SayWhenError('Somebody said when');
    yield i;
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const squares = (n: number): number[] => range(n).map((i) => i * i);

/** Every value an async iterator yields until it fails, and what it failed with. */
async function drainUntilError<T>(it: AsyncIterator<T>): Promise<{ values: T[]; error: unknown }> {
  const values: T[] = [];
  for (;;) {
    try {
      const step = await it.next();
      if (step.done) return { values, error: undefined };
      values.push(step.value);
    } catch (error) {
      return { values, error };
    }
  }
}

describe.each(CONTEXTS)('_TestPool in the %s context', (context) => {
  let shared: Pool;
  beforeAll(() => {
    shared = new Pool({ processes: 2, context });
  });
  afterAll(async () => {
    await shared.terminate();
  });

  it('test_apply / test_async: apply() and applyAsync().get()', async () => {
    expect(await shared.apply(tasks.sqr, [5])).toBe(25);
    expect(await shared.applyAsync(tasks.sqr, [7, 50]).get()).toBe(49);
  });

  it('test_map / test_map_async / test_starmap / test_starmap_async, with and without chunksize', async () => {
    expect(await shared.map(tasks.sqr, range(10))).toEqual(squares(10));
    expect(await shared.map(tasks.sqr, range(100), { chunksize: 20 })).toEqual(squares(100));
    expect(await shared.mapAsync(tasks.sqr, range(10)).get()).toEqual(squares(10));
    const pairs = (n: number) => range(n).map((i) => [i, n - 1 - i] as [number, number]);
    const products = (n: number) => pairs(n).map(([a, b]) => a * b);
    expect(await shared.starmap(tasks.mul, pairs(10))).toEqual(products(10));
    expect(await shared.starmap(tasks.mul, pairs(100), { chunksize: 20 })).toEqual(products(100));
    expect(await shared.starmapAsync(tasks.mul, pairs(100)).get()).toEqual(products(100));
  });

  it('test_map_async_callbacks: callback gets the list, errorCallback the error, each once', async () => {
    const calls: unknown[] = [];
    const push = (v: unknown) => void calls.push(v);
    await shared.mapAsync(tasks.toInt, ['1'], { callback: push, errorCallback: push }).wait();
    expect(calls).toEqual([[1]]);
    await shared.mapAsync(tasks.toInt, ['a'], { callback: push, errorCallback: push }).wait();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toBeInstanceOf(Error);
    expect(calls[1]).toMatchObject({ name: 'ValueError' });
  });

  it('test_map_unplicklable: an argument that cannot be sent fails the call, with no hang', async () => {
    const unsendable = { onDone: () => 1 };
    const err = await shared.map(tasks.identity, Array(10).fill(unsendable)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerializationError);
    expect(await shared.map(tasks.sqr, [3])).toEqual([9]); // the pool lives on
  });

  it('test_map_chunksize: mapAsync of an empty list with a chunksize does not stall', async () => {
    expect(await shared.mapAsync(tasks.sqr, [], { chunksize: 1 }).get(5_000)).toEqual([]);
  });

  it('test_map_handle_iterable_exception: the input error itself, every time (reentrant)', async () => {
    for (let round = 0; round < 2; round += 1) {
      const err = await shared.map(tasks.sqr, throwingGenerator(1, -1), { chunksize: 1 }).catch((e) => e);
      expect(err).toBeInstanceOf(SayWhenError);
      expect(err.cause).toBeUndefined(); // Python: not a remote error, __cause__ None
    }
    await expect(shared.map(tasks.sqr, throwingGenerator(10, 3), { chunksize: 1 })).rejects.toBeInstanceOf(
      SayWhenError,
    );
    // Python's SpecialIterable: __iter__ returns itself, __next__ raises, __len__ says 1
    const special = {
      length: 1,
      [Symbol.iterator]() {
        return this;
      },
      next(): IteratorResult<number> {
        throw new SayWhenError('special');
      },
    };
    for (let round = 0; round < 2; round += 1) {
      await expect(shared.map(tasks.sqr, special, { chunksize: 1 })).rejects.toBeInstanceOf(SayWhenError);
    }
  });

  it('test_async_timeout: get(ms) rejects with TimeoutError while the task runs', async () => {
    const p = pool({ processes: 3, context });
    const r = p.applyAsync(tasks.sqr, [6, 30_000]);
    await expect(r.get(100)).rejects.toBeInstanceOf(TimeoutError);
    expect(r.ready()).toBe(false);
    await p.terminate();
    await p.join();
    await expect(r.get()).rejects.toBeInstanceOf(PoolClosedError);
  });

  it('test_imap: in order, one next() at a time, then done; chunksize 100 over 1000', async () => {
    const all: number[] = [];
    for await (const v of shared.imap(tasks.sqr, range(10))) all.push(v);
    expect(all).toEqual(squares(10));
    const it = shared.imap(tasks.sqr, range(10));
    for (let i = 0; i < 10; i += 1) expect(await it.next()).toEqual({ done: false, value: i * i });
    expect((await it.next()).done).toBe(true);
    const big = shared.imap(tasks.sqr, range(1000), { chunksize: 100 });
    for (let i = 0; i < 1000; i += 1) expect((await big.next()).value).toBe(i * i);
    expect((await big.next()).done).toBe(true);
  });

  it('test_imap_handle_iterable_exception: the results before the failing item, then its error', async () => {
    for (let round = 0; round < 2; round += 1) {
      const first = await drainUntilError(shared.imap(tasks.sqr, throwingGenerator(1, -1), { chunksize: 1 }));
      expect(first.values).toEqual([]);
      expect(first.error).toBeInstanceOf(SayWhenError);
    }
    const third = await drainUntilError(shared.imap(tasks.sqr, throwingGenerator(10, 3), { chunksize: 1 }));
    expect(third).toEqual({ values: [0, 1, 4], error: expect.any(SayWhenError) });
    // Python drops the items read into the failing chunk (6 of chunksize 2, 4..6 of chunksize 4);
    // the contract yields every item before the failing one, in order.
    for (const chunksize of [2, 4]) {
      const out = await drainUntilError(shared.imap(tasks.sqr, throwingGenerator(20, 7), { chunksize }));
      expect(out).toEqual({ values: squares(7), error: expect.any(SayWhenError) });
    }
  });

  it('test_imap_unordered: every result, in some order; chunksize 100 over 1000', async () => {
    const few: number[] = [];
    for await (const v of shared.imapUnordered(tasks.sqr, range(10))) few.push(v);
    expect(few.sort((a, b) => a - b)).toEqual(squares(10));
    const many: number[] = [];
    for await (const v of shared.imapUnordered(tasks.sqr, range(1000), { chunksize: 100 })) many.push(v);
    expect(many.sort((a, b) => a - b)).toEqual(squares(1000));
  });

  it('test_imap_unordered_handle_iterable_exception: values seen are expected ones, then the error', async () => {
    for (let round = 0; round < 2; round += 1) {
      const first = await drainUntilError(
        shared.imapUnordered(tasks.sqr, throwingGenerator(1, -1), { chunksize: 1 }),
      );
      expect(first).toEqual({ values: [], error: expect.any(SayWhenError) });
    }
    for (const [total, when, chunksize] of [
      [10, 3, 1],
      [20, 7, 2],
    ] as const) {
      const out = await drainUntilError(
        shared.imapUnordered(tasks.sqr, throwingGenerator(total, when), { chunksize }),
      );
      expect(out.error).toBeInstanceOf(SayWhenError);
      expect(new Set(out.values).size).toBe(out.values.length);
      for (const v of out.values) expect(squares(when)).toContain(v);
    }
  });

  it('test_empty_iterable: map, imap, imapUnordered and mapAsync of [] give []', async () => {
    const p = pool({ processes: 1, context });
    expect(await p.map(tasks.sqr, [])).toEqual([]);
    const viaImap: number[] = [];
    for await (const v of p.imap(tasks.sqr, [])) viaImap.push(v);
    for await (const v of p.imapUnordered(tasks.sqr, [])) viaImap.push(v);
    expect(viaImap).toEqual([]);
    expect(await p.mapAsync(tasks.sqr, []).get()).toEqual([]);
    p.close();
    await p.join();
  });

  it('test_wrapped_exception / test_traceback: the error keeps its class, message and the worker stack', async () => {
    const err = await shared.apply(tasks.runtimeError, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'Error', message: '123' });
    expect((err as Error).stack).toContain('cpython-port-29-tasks.mjs');
  });

  it('test_map_no_failfast: a map whose items raise rejects, and close()/join() still end', async () => {
    const p = pool({ processes: 2, context });
    const err = await p.map(tasks.raiseLarge, [0, 1]).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ValueError' });
    expect((err as Error).message).toHaveLength(1024 ** 2);
    p.close();
    await p.join();
  });
});

describe.each(CONTEXTS)('_TestPool lifecycle in the %s context', (context) => {
  it('test_make_pool: processes 0, -1 (and 0.5) throw ValidationError naming the option', () => {
    for (const processes of [-1, 0, 0.5]) {
      expect(() => new Pool({ processes, context })).toThrow(ValidationError);
      expect(() => new Pool({ processes, context })).toThrow(/processes/);
    }
  });

  it('test_terminate: terminate() during a long mapAsync ends at once; the call rejects', async () => {
    const p = pool({ processes: 3, context });
    const r = p.mapAsync(tasks.sleepFor, Array(10_000).fill(60_000), { chunksize: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await p.terminate();
    await p.join();
    await expect(r.get()).rejects.toBeInstanceOf(PoolClosedError);
  });

  it('test_context / test_enter: `await using` terminates; later submissions throw PoolClosedError', async () => {
    let kept: Pool | undefined;
    {
      await using p = new Pool({ processes: 2, context });
      kept = p;
      expect(await p.mapAsync(tasks.sqr, range(10)).get()).toEqual(squares(10));
    }
    await kept.join();
    expect(() => kept.mapAsync(tasks.sqr, range(10))).toThrow(PoolClosedError);
    await expect(kept.apply(tasks.sqr, [1])).rejects.toBeInstanceOf(PoolClosedError);
  });

  it('close() then join() runs what was submitted; join() before close() rejects', async () => {
    const p = pool({ processes: 2, context });
    await expect(p.join()).rejects.toThrow(/close\(\) or terminate\(\)/);
    const results = range(6).map((i) => p.applyAsync(tasks.sqr, [i, 20]));
    p.close();
    await p.join();
    for (const [i, r] of results.entries()) {
      expect(r.ready()).toBe(true);
      expect(await r.get()).toBe(i * i);
    }
    expect(() => p.applyAsync(tasks.sqr, [1])).toThrow(PoolClosedError);
  });
});

describe.each(CONTEXTS)('_TestPoolWorkerErrors in the %s context', (context) => {
  it('test_async_error_callback: get() rejects with the task error, errorCallback received it', async () => {
    const p = pool({ processes: 2, context });
    let seen: unknown;
    const r = p.applyAsync(tasks.raising, [], { errorCallback: (e) => (seen = e) });
    await expect(r.get()).rejects.toMatchObject({ name: 'KeyError', message: 'key' });
    expect(seen).toBeInstanceOf(Error);
    expect(seen).toMatchObject({ name: 'KeyError' });
    expect(r.successful()).toBe(false);
  });

  it('test_unpickleable_result: SerializationError each time, and no worker is lost', async () => {
    const p = pool({ processes: 2, context });
    for (let i = 0; i < 20; i += 1) {
      let seen: unknown;
      const r = p.applyAsync(tasks.unsendableResult, [], { errorCallback: (e) => (seen = e) });
      const err = await r.get().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SerializationError);
      expect((err as SerializationError).path).toMatch(/^result/);
      expect(seen).toBe(err);
    }
    expect(await p.map(tasks.sqr, range(4))).toEqual(squares(4));
  });
});

describe.each(CONTEXTS)('_TestPoolWorkerLifetime in the %s context', (context) => {
  it('test_pool_worker_lifetime: with maxTasksPerChild 10, 100 calls use workers 10 calls each at most', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 3, context, maxTasksPerChild: 10 });
    const results = range(100).map(() => p.applyAsync(tasks.whoAmI, []));
    const workers = new Map<string, number>();
    for (const r of results) {
      const who = await r.get();
      workers.set(who, (workers.get(who) ?? 0) + 1);
    }
    expect(workers.size).toBeGreaterThanOrEqual(10);
    for (const count of workers.values()) expect(count).toBeLessThanOrEqual(10);
    const sq = range(20).map((i) => p.applyAsync(tasks.sqr, [i]));
    for (const [i, r] of sq.entries()) expect(await r.get()).toBe(i * i);
    p.close();
    await p.join();
  });

  it('test_pool_worker_lifetime_early_close: close() with maxTasksPerChild 1 before the tasks ran', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 3, context, maxTasksPerChild: 1 });
    const results = range(6).map((i) => p.applyAsync(tasks.sqr, [i, 300]));
    p.close();
    await p.join();
    for (const [i, r] of results.entries()) expect(await r.get()).toBe(i * i);
  });

  it('test_pool_maxtasksperchild_invalid: 0, -1, 0.5 and "12" throw ValidationError', () => {
    for (const maxTasksPerChild of [0, -1, 0.5, '12']) {
      expect(() => new Pool({ processes: 3, context, maxTasksPerChild } as never)).toThrow(ValidationError);
    }
  });
});
