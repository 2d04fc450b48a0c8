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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTEXTS,
  type Context,
  factories,
  type Loose,
  latin,
  poolsEndedAfterEach,
  processesKilledAfterEach,
  queuesClosedAfterEach,
  range,
  text,
} from './cpython-kit.ts';
import {
  barriers,
  blocking,
  clients,
  conns,
  managerTypes,
  more,
  procs,
  results,
  SENTINEL,
  tasks,
  waits,
} from './fixtures/cpython-port-29-tasks.mjs';

const { closeAfterTest, queue } = queuesClosedAfterEach();
const pool = poolsEndedAfterEach();
// registered last: the Processes are killed first, then the pools end, then the queues close
const { killAfterTest, start } = processesKilledAfterEach();

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

/** Resolves once `check()` is true; fails after 10 s. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(CONTEXTS)('_TestQueue in the %s context', (context) => {
  const ctx = getContext(context);

  it('test_put: every form of put(), then QueueFullError from each form once full; a worker empties it', async () => {
    const q = queue<number>({ maxsize: 6 });
    const out = queue<unknown>();
    expect(q.empty()).toBe(true);
    expect(q.full()).toBe(false);
    await q.put(1);
    await q.put(2, { block: true });
    await q.put(3, { block: true, timeout: null });
    await q.put(4, { block: false });
    await q.put(5, { block: false, timeout: null });
    q.putNowait(6);
    expect(q.empty()).toBe(false);
    expect(q.full()).toBe(true);
    expect(q.qsize()).toBe(6);
    await expect(q.put(7, { block: false })).rejects.toBeInstanceOf(QueueFullError);
    await expect(q.put(7, { block: false, timeout: null })).rejects.toBeInstanceOf(QueueFullError);
    expect(() => q.putNowait(7)).toThrow(QueueFullError);
    await expect(q.put(7, { block: true, timeout: 100 })).rejects.toBeInstanceOf(QueueFullError);
    await expect(q.put(7, { block: false, timeout: 100 })).rejects.toBeInstanceOf(QueueFullError);
    await expect(q.put(7, 100)).rejects.toBeInstanceOf(QueueFullError);
    const p = start(context, tasks.getSome, [q, out, 6, 10_000]);
    for (let i = 1; i <= 6; i += 1) expect(await out.get({ timeout: 20_000 })).toBe(i);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    expect(q.empty()).toBe(true);
    expect(q.full()).toBe(false);
  }, 30_000);

  it('test_get: every form of get() of what a worker put, then QueueEmptyError from each form', async () => {
    const q = queue<number>();
    const p = start(context, tasks.putAll, [q, [1, 2, 3, 4, 5]]);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    expect(q.empty()).toBe(false); // what a worker put before it ended has arrived
    expect(q.qsize()).toBe(5);
    expect(await q.get()).toBe(1);
    expect(await q.get({ block: true, timeout: null })).toBe(2);
    expect(await q.get({ block: true })).toBe(3);
    expect(await q.get({ timeout: 1000 })).toBe(4);
    expect(q.getNowait()).toBe(5);
    expect(q.empty()).toBe(true);
    await expect(q.get({ block: false })).rejects.toBeInstanceOf(QueueEmptyError);
    await expect(q.get({ block: false, timeout: null })).rejects.toBeInstanceOf(QueueEmptyError);
    expect(() => q.getNowait()).toThrow(QueueEmptyError);
    await expect(q.get({ block: true, timeout: 100 })).rejects.toBeInstanceOf(QueueEmptyError);
    await expect(q.get({ block: false, timeout: 100 })).rejects.toBeInstanceOf(QueueEmptyError);
    await expect(q.get(100)).rejects.toBeInstanceOf(QueueEmptyError);
  }, 30_000);

  it('test_fork: a worker gets what this side puts, and this side gets what it puts back', async () => {
    const q = queue<number>();
    const out = queue<unknown>();
    const p = start(context, tasks.getSome, [q, out, 10, 10_000]);
    for (const i of range(10)) await q.put(i);
    const got: unknown[] = [];
    for (let i = 0; i < 10; i += 1) got.push(await out.get({ timeout: 20_000 }));
    expect(got).toEqual(range(10));
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  }, 30_000);

  it('test_qsize: counts puts and gets', async () => {
    const q = queue<number>();
    expect(q.qsize()).toBe(0);
    await q.put(1);
    expect(q.qsize()).toBe(1);
    await q.put(5);
    expect(q.qsize()).toBe(2);
    await q.get();
    expect(q.qsize()).toBe(1);
    await q.get();
    expect(q.qsize()).toBe(0);
  });

  it('test_task_done: join() returns once workers marked every item done', async () => {
    const q = new JoinableQueue<number | null>();
    closeAfterTest(q);
    const workers = range(2).map(() => start(context, tasks.drain, [q]));
    for (const i of range(10)) await q.put(i);
    await q.join();
    for (const _ of workers) await q.put(null);
    await q.join();
    for (const w of workers) {
      await w.join(20_000);
      expect(w.exitCode).toBe(0);
    }
    expect(() => q.taskDone()).toThrow(ValidationError); // Python: ValueError, task_done() called too many times
  }, 30_000);

  it('test_timeout: get({ timeout }) rejects with QueueEmptyError no sooner than asked', async () => {
    const q = queue<number>();
    const t0 = performance.now();
    await expect(q.get({ timeout: 100 })).rejects.toBeInstanceOf(QueueEmptyError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it('test_queue_feeder_donot_stop_onexc: an unsendable value fails its put; the queue still works', async () => {
    const q = queue<unknown>();
    await expect(q.put({ onDone: () => 1 })).rejects.toBeInstanceOf(SerializationError);
    expect(() => q.putNowait({ onDone: () => 1 })).toThrow(SerializationError);
    await q.put(1);
    expect(await q.get({ timeout: 1000 })).toBe(1);
    const out = queue<unknown>();
    const p = start(context, tasks.getSome, [q, out, 1, 10_000]);
    await expect(q.put(Symbol('s'))).rejects.toBeInstanceOf(SerializationError);
    await q.put(2);
    expect(await out.get({ timeout: 20_000 })).toBe(2);
    await p.join(20_000);
  }, 30_000);

  it('test_closed_queue_put_get_exceptions: put and get after close() throw ClosedError', async () => {
    for (const q of [new Queue<string>(), new JoinableQueue<string>()]) {
      await q.put('foo');
      q.close();
      await expect(q.put('bar')).rejects.toBeInstanceOf(ClosedError);
      await expect(q.get()).rejects.toBeInstanceOf(ClosedError);
      expect(() => q.putNowait('bar')).toThrow(ClosedError);
      expect(() => q.getNowait()).toThrow(ClosedError);
      // Python: OSError 'is closed' from empty() of a used closed queue
      expect(() => q.empty()).toThrow(ClosedError);
    }
  });

  it("the context's Queue is usable here and in a worker", async () => {
    const q = ctx.Queue() as Queue<number>;
    closeAfterTest(q);
    const p = start(context, tasks.putAll, [q, [7, 8]]);
    expect(await q.get({ timeout: 20_000 })).toBe(7);
    expect(await q.get({ timeout: 20_000 })).toBe(8);
    await p.join(20_000);
  }, 30_000);
});

// The synchronisation primitives in both of Python's forms: shared memory (`mp.Lock()`: threads
// only) and the manager's proxies (`getContext('process').Lock()`: threads and processes). The
// calls are awaited, which both forms accept (a shared Lock's release() is synchronous).
const FORMS = [
  { form: 'shared', context: 'thread' as Context },
  { form: 'manager', context: 'thread' as Context },
  { form: 'manager', context: 'process' as Context },
];

/** What a call settles with, thrown synchronously or rejected: its value or its error. */
async function settle(call: () => unknown): Promise<{ value?: unknown; error?: unknown }> {
  try {
    return { value: await call() };
  } catch (error) {
    return { error };
  }
}

const readValue = async (v: Loose): Promise<unknown> =>
  typeof v.get === 'function' ? await v.get() : v.value;
const writeValue = async (v: Loose, x: unknown): Promise<void> => {
  if (typeof v.set === 'function') await v.set(x);
  else (v as { value: unknown }).value = x;
};
const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(FORMS)('synchronisation, $form form in the $context context', ({ form, context }) => {
  const make = factories(form);

  it('_TestLock.test_lock: acquire, a non-blocking acquire fails, release, a second release throws LockError', async () => {
    const lock = make.Lock!();
    expect(await lock.acquire!()).toBe(true);
    expect(await lock.acquire!({ block: false })).toBe(false);
    const p = pool({ processes: 1, context });
    expect(await p.apply(tasks.isLocked, [lock])).toBe(true); // test_lock_locked_2processes
    expect(await lock.release!()).toBeUndefined();
    expect(await p.apply(tasks.isLocked, [lock])).toBe(false);
    expect((await settle(() => lock.release!())).error).toBeInstanceOf(LockError);
  });

  it('_TestLock.test_rlock: three acquires, three releases, then a release throws LockError', async () => {
    const lock = make.RLock!();
    for (let i = 0; i < 3; i += 1) expect(await lock.acquire!()).toBe(true);
    for (let i = 0; i < 3; i += 1) expect(await lock.release!()).toBeUndefined();
    expect((await settle(() => lock.release!())).error).toBeInstanceOf(LockError);
  });

  it('_TestLock.test_lock_context: withLock() holds the lock around the function', async () => {
    const lock = make.Lock!();
    expect(await lock.withLock!(async () => await lock.locked!())).toBe(true);
    expect(await lock.locked!()).toBe(false);
    const p = pool({ processes: 2, context });
    const v = make.Value!('i', 0);
    await Promise.all([
      p.apply(tasks.lockIncrement, [lock, v, 20]),
      p.apply(tasks.lockIncrement, [lock, v, 20]),
    ]);
    expect(await readValue(v)).toBe(40);
  });

  it('_TestSemaphore.test_semaphore / test_bounded_semaphore: getValue() follows acquires and releases', async () => {
    for (const kind of ['Semaphore', 'BoundedSemaphore']) {
      const sem = make[kind]!(2);
      expect(await sem.getValue!()).toBe(2);
      expect(await sem.acquire!()).toBe(true);
      expect(await sem.getValue!()).toBe(1);
      expect(await sem.acquire!()).toBe(true);
      expect(await sem.getValue!()).toBe(0);
      expect(await sem.acquire!({ block: false })).toBe(false);
      expect(await sem.getValue!()).toBe(0);
      expect(await sem.release!()).toBeUndefined();
      expect(await sem.getValue!()).toBe(1);
      expect(await sem.release!()).toBeUndefined();
      expect(await sem.getValue!()).toBe(2);
      const more = await settle(() => sem.release!());
      if (kind === 'Semaphore') {
        expect(more.error).toBeUndefined();
        expect(await sem.getValue!()).toBe(3);
      } else {
        expect(more.error).toBeInstanceOf(LockError); // Python's commented-out ValueError
        expect(await sem.getValue!()).toBe(2);
      }
    }
  });

  it('_TestSemaphore.test_timeout: a Semaphore(0) gives false to every form of acquire with a bound', async () => {
    const sem = make.Semaphore!(0);
    expect(await sem.acquire!({ block: false })).toBe(false);
    expect(await sem.acquire!({ block: false, timeout: null })).toBe(false);
    expect(await sem.acquire!({ block: false, timeout: 100 })).toBe(false);
    expect(await sem.acquire!({ block: true, timeout: 100 })).toBe(false);
    expect(await sem.acquire!({ timeout: 100 })).toBe(false);
    expect(await sem.acquire!(100)).toBe(false);
  });

  it('_TestSemaphore across workers: a Semaphore(1) lets one holder in at a time', async () => {
    const sem = make.Semaphore!(1);
    const out = make.Queue!() as unknown as Queue<string>;
    const p = pool({ processes: 2, context });
    expect(await sem.acquire!()).toBe(true);
    const calls = [
      p.apply(tasks.semaphoreHold, [sem, out, 10]),
      p.apply(tasks.semaphoreHold, [sem, out, 10]),
    ];
    await expect(out.get({ timeout: 300 })).rejects.toBeInstanceOf(QueueEmptyError);
    await sem.release!();
    await Promise.all(calls);
    expect([await out.get({ timeout: 1000 }), await out.get({ timeout: 1000 })]).toEqual(['in', 'in']);
  });

  it('_TestCondition.test_notify / test_notify_n / test_notify_all: wakes as many waiters as asked', {
    timeout: 60_000,
  }, async () => {
    const cond = make.Condition!();
    const sleeping = make.Semaphore!(0);
    const woken = make.Semaphore!(0);
    const p = pool({ processes: 3, context });
    const waiters = range(3).map(() => p.apply(tasks.condWaiter, [cond, sleeping, woken, 20_000]));
    for (let i = 0; i < 3; i += 1) expect(await sleeping.acquire!(20_000)).toBe(true);
    await sleepMs(100);
    expect(await woken.getValue!()).toBe(0);
    await cond.acquire!();
    await cond.notify!();
    await cond.release!();
    await until(async () => (await woken.getValue!()) === 1, 'one waiter woken');
    await cond.acquire!();
    await cond.notify!(4); // Python's notify(n=4): more than are left wakes those left
    await cond.release!();
    await until(async () => (await woken.getValue!()) === 3, 'all waiters woken');
    expect(await Promise.all(waiters)).toEqual([true, true, true]);

    const more = range(3).map(() => p.apply(tasks.condWaiter, [cond, sleeping, woken, 20_000]));
    for (let i = 0; i < 3; i += 1) expect(await sleeping.acquire!(20_000)).toBe(true);
    await cond.acquire!();
    await cond.notifyAll!();
    await cond.release!();
    expect(await Promise.all(more)).toEqual([true, true, true]);
    // notify_all with timed waiters: each wakes by its own timeout, false
    const timed = range(3).map(() => p.apply(tasks.condWaiter, [cond, sleeping, woken, 100]));
    expect(await Promise.all(timed)).toEqual([false, false, false]);
  });

  it('_TestCondition.test_timeout / test_waitfor_timeout: wait(ms) and waitFor(pred, ms) give false', async () => {
    const cond = make.Condition!();
    await cond.acquire!();
    expect(await cond.wait!(100)).toBe(false);
    expect(await cond.waitFor!(() => false, 100)).toBe(false);
    await cond.release!();
    // Python: waiting without holding the lock is an error (RuntimeError)
    expect((await settle(() => cond.wait!(10))).error).toBeInstanceOf(LockError);
  });

  it('_TestCondition.test_waitfor: a worker waits for the value this side counts up', async () => {
    const cond = make.Condition!();
    const state = make.Value!('i', -1);
    const p = pool({ processes: 1, context });
    const child = p.apply(tasks.condWaitFor4, [cond, state]);
    await cond.acquire!();
    expect(await cond.waitFor!(async () => (await readValue(state)) === 0, 20_000)).toBe(true);
    expect(await readValue(state)).toBe(0);
    await cond.release!();
    for (let i = 0; i < 4; i += 1) {
      await sleepMs(10);
      await cond.acquire!();
      await writeValue(state, ((await readValue(state)) as number) + 1);
      await cond.notify!();
      await cond.release!();
    }
    expect(await child).toBe(true);
  });

  it('_TestEvent.test_event: isSet, wait(0), wait(ms), set, clear, and a set from a worker', async () => {
    const ev = make.Event!();
    expect(await ev.isSet!()).toBe(false);
    expect(await ev.wait!(0)).toBe(false);
    expect(await ev.wait!(100)).toBe(false);
    await ev.set!();
    expect(await ev.isSet!()).toBe(true);
    expect(await ev.wait!()).toBe(true);
    expect(await ev.wait!(100)).toBe(true);
    await ev.clear!();
    expect(await ev.isSet!()).toBe(false);
    const p = start(context, tasks.setEventLater, [ev, 100]);
    expect(await ev.wait!(20_000)).toBe(true);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });

  it('_TestBarrier.test_barrier: each cycle gives distinct indexes 0..parties-1', async () => {
    const bar = make.Barrier!(3);
    const p = pool({ processes: 2, context });
    for (let cycle = 0; cycle < 2; cycle += 1) {
      const others = [p.apply(tasks.barrierWait, [bar, 20_000]), p.apply(tasks.barrierWait, [bar, 20_000])];
      const mine = (await bar.wait!(20_000)) as number;
      expect([mine, ...(await Promise.all(others))].sort()).toEqual([0, 1, 2]);
    }
  });

  it('_TestBarrier.test_timeout / test_abort / test_reset: BrokenBarrierError for all; reset makes it usable', async () => {
    const bar = make.Barrier!(2);
    const p = pool({ processes: 1, context });
    expect((await settle(() => bar.wait!(100))).error).toBeInstanceOf(BrokenBarrierError);
    expect(await p.apply(tasks.barrierOutcome, [bar, 20_000])).toBe('BrokenBarrierError'); // broken now
    await bar.reset!();
    const other = p.apply(tasks.barrierOutcome, [bar, 20_000]);
    expect(await bar.wait!(20_000)).toBeTypeOf('number');
    expect(await other).toBeTypeOf('number');
    const aborted = p.apply(tasks.barrierOutcome, [bar, 20_000]);
    await sleepMs(200);
    await bar.abort!();
    expect(await aborted).toBe('BrokenBarrierError');
    await bar.reset!();
    const again = p.apply(tasks.barrierOutcome, [bar, 20_000]);
    expect(await bar.wait!(20_000)).toBeTypeOf('number');
    expect(await again).toBeTypeOf('number');
  });

  it('_TestBarrier.test_single_thread: a Barrier(1) returns 0 at once, every time', async () => {
    const bar = make.Barrier!(1);
    expect(await bar.wait!()).toBe(0);
    expect(await bar.wait!()).toBe(0);
  });

  it('_TestValue.test_value: a worker writes each typecode, this side reads it', async () => {
    const codes: [string, number | bigint, number | bigint][] = [
      ['i', 4343, 24234],
      ['d', 3.625, -4.25],
      ['h', -232, 234],
      ['q', 2n ** 33n, 2n ** 34n],
    ];
    const values = codes.map(([code, v]) => make.Value!(code, v));
    for (const [i, v] of values.entries()) expect(await readValue(v)).toBe(codes[i]![1]);
    const p = start(context, tasks.setValues, [values, codes.map((c) => c[2])]);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    for (const [i, v] of values.entries()) expect(await readValue(v)).toBe(codes[i]![2]);
  });

  it('_TestArray.test_array: length, get, slice, setSlice, then a worker cumulates it', async () => {
    const seq = [680, 626, 934, 821, 150, 233, 548, 982, 714, 831];
    const arr = make.Array!('i', seq);
    const len = async () => (typeof arr.len === 'function' ? await arr.len() : arr.length);
    const all = async () => (typeof arr.copy === 'function' ? await arr.copy() : arr.toArray!());
    expect(await len()).toBe(seq.length);
    expect(await arr.get!(3)).toBe(seq[3]);
    expect(await arr.slice!(2, 7)).toEqual(seq.slice(2, 7));
    await arr.setSlice!(4, [1, 2, 3, 4]);
    seq.splice(4, 4, 1, 2, 3, 4);
    expect(await all()).toEqual(seq);
    for (let i = 1; i < seq.length; i += 1) seq[i]! += seq[i - 1]!;
    const p = start(context, tasks.cumulate, [arr]);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    expect(await all()).toEqual(seq);
  });

  it('_TestArray.test_array_from_size: zeroed, then filled', async () => {
    for (let round = 0; round < 3; round += 1) {
      const arr = make.Array!('i', 10);
      const all = async () => (typeof arr.copy === 'function' ? await arr.copy() : arr.toArray!());
      expect(await all()).toEqual(Array(10).fill(0));
      await arr.setSlice!(0, range(10));
      expect(await all()).toEqual(range(10));
    }
  });
});

describe('_TestValue / _TestArray, shared memory only', () => {
  it('test_rawvalue / test_rawarray: the raw forms hold the same values and have no lock', () => {
    const v = new RawValue('d', 3.625);
    expect(v.value).toBe(3.625);
    expect((v as unknown as Loose).getLock).toBeUndefined();
    const a = new RawArray('i', [1, 2, 3]);
    expect(a.slice()).toEqual([1, 2, 3]);
    expect((a as unknown as Loose).getLock).toBeUndefined();
  });

  it('test_getobj_getlock: the default lock, a given lock, lock: false, and a bad lock', () => {
    // Python's default is an RLock; the contract's is a Lock (an RLock is owned by a thread, so it
    // would not keep two async functions of one thread apart)
    const v1 = new Value('i', 5);
    expect(v1.getLock()).toBeInstanceOf(mp.Lock);
    expect(v1.getObj().value).toBe(5);
    const v2 = new Value('i', 5, { lock: null });
    expect(v2.getLock()).toBeInstanceOf(mp.Lock);
    expect(v2.getLock()).not.toBe(v1.getLock());
    const lock = new mp.Lock();
    expect(new Value('i', 5, { lock }).getLock()).toBe(lock);
    expect(new SharedArray('i', range(10), { lock }).getLock()).toBe(lock);
    const raw = new Value('i', 5, { lock: false }) as unknown as Loose;
    expect(raw.getLock).toBeUndefined();
    expect(raw.getObj).toBeUndefined();
    expect(() => new Value('i', 5, { lock: 'navalue' } as never)).toThrow(ValidationError);
    expect(() => new SharedArray('i', range(10), { lock: 'notalock' } as never)).toThrow(ValidationError);
  });

  it('test_invalid_typecode: Array, RawArray and Value refuse typecode x with ValidationError', () => {
    expect(() => new SharedArray('x' as never, [])).toThrow(ValidationError);
    expect(() => new RawArray('x' as never, [])).toThrow(ValidationError);
    expect(() => new Value('x' as never)).toThrow(ValidationError);
  });
});

describe('_TestContainers (a Manager in this thread)', () => {
  let manager: SyncManager;
  beforeAll(() => {
    manager = Manager();
  });
  afterAll(async () => {
    await manager.shutdown();
  });

  it('test_list: slices, extend, imul, concat, and lists of list proxies', async () => {
    const a = manager.list(range(10));
    expect(await a.slice()).toEqual(range(10));
    const b = manager.list<number>();
    expect(await b.slice()).toEqual([]);
    await b.extend(range(5));
    expect(await b.slice()).toEqual(range(5));
    expect(await b.get(2)).toBe(2);
    expect(await b.slice(2, 10)).toEqual([2, 3, 4]);
    await b.imul(2);
    expect(await b.slice()).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    expect(await b.concat([5, 6])).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6]);
    expect(await a.slice()).toEqual(range(10));
    const e = manager.list([a, b]);
    const inner = [];
    for await (const element of e) inner.push(await element.slice());
    expect(inner).toEqual([range(10), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]]);
    const f = manager.list([a]);
    await a.append('hello' as never);
    expect(await (await f.get(0)).slice()).toEqual([...range(10), 'hello']);
  });

  it('test_list_isinstance: the MutableSequence methods exist, and the operators work', async () => {
    const a = manager.list<number>([5, 6, 7, 8]);
    // __getitem__, __setitem__, __len__, __iadd__, __imul__, __contains__, __delitem__, and the rest
    const methods = ['get', 'set', 'len', 'extend', 'imul', 'includes', 'deleteSlice', 'append', 'clear'];
    for (const name of [...methods, 'count', 'index', 'insert', 'pop', 'remove', 'reverse']) {
      expect(typeof (a as unknown as Loose)[name], name).toBe('function');
    }
    expect(await a.includes(6)).toBe(true); // 6 in a
    expect(await a.includes(9)).toBe(false);
    await a.deleteSlice(1, 3); // del a[1:3]
    expect(await a.copy()).toEqual([5, 8]);
    expect(await a.pop(0)).toBe(5); // del a[0]
    expect(await a.copy()).toEqual([8]);
  });

  it('test_list_iter: iterates the items; a second loop starts again', async () => {
    const a = manager.list(range(10));
    const first: number[] = [];
    for await (const v of a) first.push(v);
    expect(first).toEqual(range(10));
    const it = a[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i += 1) await it.next();
    expect((await it.next()).done).toBe(true); // exhausted
  });

  it('test_list_proxy_in_list: each inner list is its own object', async () => {
    const a = manager.list(range(3).map(() => manager.list(range(3))));
    const inner = async () => Promise.all(range(3).map(async (i) => (await a.get(i)).slice()));
    expect(await inner()).toEqual([range(3), range(3), range(3)]);
    await (await a.get(0)).set(-1, 55);
    expect(await (await a.get(0)).slice()).toEqual([0, 1, 55]);
    for (const i of [1, 2]) expect(await (await a.get(i)).slice()).toEqual(range(3));
    expect(await (await a.get(1)).pop()).toBe(2);
    expect(await (await a.get(1)).len()).toBe(2);
    for (const i of [0, 2]) expect(await (await a.get(i)).len()).toBe(3);
    const b = manager.list<unknown>();
    await b.append(b);
    expect(await b.len()).toBe(1);
  });

  it('test_dict: copy, keys, values, items', async () => {
    const d = manager.dict<number, string>();
    const indices = range(5).map((i) => i + 65);
    for (const i of indices) await d.set(i, String.fromCharCode(i));
    expect(await d.copy()).toEqual(new Map(indices.map((i) => [i, String.fromCharCode(i)])));
    expect((await d.keys()).sort()).toEqual(indices);
    expect((await d.values()).sort()).toEqual(indices.map((i) => String.fromCharCode(i)));
    expect((await d.items()).sort()).toEqual(indices.map((i) => [i, String.fromCharCode(i)]));
    const keys: number[] = [];
    for await (const k of d) keys.push(k);
    expect(keys).toEqual(indices); // test_dict_iter: in insertion order
  });

  it('test_dict_isinstance: the MutableMapping methods exist', () => {
    const a = manager.dict();
    for (const name of [
      'clear',
      'get',
      'items',
      'keys',
      'pop',
      'popitem',
      'setdefault',
      'update',
      'values',
    ]) {
      expect(typeof (a as unknown as Loose)[name], name).toBe('function');
    }
  });

  it('test_dict_proxy_nested: proxies stored in a dict and a list reach the same objects', async () => {
    let pets: DictProxyOf | undefined = manager.dict({ ferrets: 2, hamsters: 4 });
    let supplies: DictProxyOf | undefined = manager.dict({ water: 10, feed: 3 });
    const d = manager.dict<string, DictProxyOf>({ pets, supplies });
    expect(await supplies.get('water')).toBe(10);
    expect(await (await d.get('supplies'))!.get('water')).toBe(10);
    await (await d.get('supplies'))!.set('blankets', 5);
    expect(await supplies.get('blankets')).toBe(5);
    expect(await (await d.get('supplies'))!.get('blankets')).toBe(5);
    await (await d.get('supplies'))!.set('water', 7);
    expect(await supplies.get('water')).toBe(7);
    pets = undefined;
    supplies = undefined;
    expect(await (await d.get('pets'))!.get('ferrets')).toBe(2);
    pets = (await d.get('pets'))!;
    supplies = (await d.get('supplies'))!;
    await d.clear();
    expect(await d.len()).toBe(0);
    expect(await supplies.get('water')).toBe(7); // kept alive by this side's proxies
    expect(await pets.get('hamsters')).toBe(4);
    const l = manager.list([pets, supplies]);
    await (await l.get(0)).set('marmots', 1);
    expect(await pets.get('marmots')).toBe(1);
    const outer = manager.list<unknown>([[88, 99], l]);
    expect(await outer.get(0)).toEqual([88, 99]); // a plain array, not a proxy
    const last = (await outer.get(-1)) as typeof l;
    expect(await (await last.get(-1)).get('feed')).toBe(3);
  });

  it('test_nested_queue: a queue proxy inside a list and a dict', async () => {
    const a = manager.list<ReturnType<SyncManager['Queue']>>();
    await a.append(manager.Queue());
    await (await a.get(0)).put(123);
    expect(await (await a.get(0)).get()).toBe(123);
    const b = manager.dict<number, ReturnType<SyncManager['Queue']>>();
    await b.set(0, manager.Queue());
    await (await b.get(0))!.put(456);
    expect(await (await b.get(0))!.get()).toBe(456);
  });

  it("test_namespace: set, get, delete; names starting with '_' stay on the proxy", async () => {
    const n = manager.Namespace();
    await n.set('name', 'Bob');
    await n.set('job', 'Builder');
    await n.set('_hidden', 'hidden');
    expect([await n.get('name'), await n.get('job')]).toEqual(['Bob', 'Builder']);
    expect(await n.get('_hidden')).toBe('hidden');
    expect(await n.delete('job')).toBe(true);
    expect(await n.copy()).toEqual({ name: 'Bob' }); // Python: str(n) == "Namespace(name='Bob')"
    expect(await n.get('job')).toBeUndefined();
  });

  describe.each(CONTEXTS)('the proxies in a %s worker', (context) => {
    it('a list, a nested dict, a Namespace and a queue in a list, used by a worker', async () => {
      const p = pool({ processes: 1, context });
      const l = manager.list([1]);
      expect(await p.apply(tasks.listAppend, [l, 'x'])).toBe(2);
      expect(await l.slice()).toEqual([1, 'x']);
      const supplies = manager.dict({ water: 10 });
      const d = manager.dict({ supplies });
      expect(await p.apply(tasks.dictNested, [d])).toBe(10);
      expect(await supplies.get('blankets')).toBe(5);
      const n = manager.Namespace({ name: 'Bob', job: 'Builder' });
      await p.apply(tasks.namespaceEdit, [n]);
      expect(await n.copy()).toEqual({ name: 'Bob!' });
      const withQueue = manager.list([manager.Queue()]);
      await p.apply(tasks.queueInList, [withQueue]);
      expect(await (await withQueue.get(0)).get({ timeout: 10_000 })).toBe(123);
    });
  });
});

type DictProxyOf = ReturnType<SyncManager['dict']>;

describe.each(CONTEXTS)(
  "the manager's Queue and JoinableQueue (Python's _TestQueue of type manager), %s worker",
  (context) => {
    let manager: SyncManager;
    beforeAll(() => {
      manager = Manager();
    });
    afterAll(async () => {
      await manager.shutdown();
    });

    const expectedForms = [
      ['empty', true],
      ['put', undefined],
      ['putNowait', undefined],
      ['full', true],
      ['putFull', 'QueueFullError'],
      ['putTimeout', 'QueueFullError'],
      ['qsize', 2],
      ['get', 1],
      ['getNowait', 2],
      ['getEmpty', 'QueueEmptyError'],
      ['getTimeout', 'QueueEmptyError'],
    ];

    it('test_put / test_get: every form, here and in a worker, on a Queue(2)', async () => {
      const q = manager.Queue<number>(2);
      const p = pool({ processes: 1, context });
      expect(await p.apply(more.queueForms, [q])).toEqual(expectedForms);
      const here: [string, unknown][] = [];
      const attempt = async (what: string, fn: () => Promise<unknown>) => {
        try {
          here.push([what, await fn()]);
        } catch (err) {
          here.push([what, (err as Error).name]);
        }
      };
      await attempt('empty', () => q.empty());
      await attempt('put', () => q.put(1));
      await attempt('putNowait', () => q.putNowait(2));
      await attempt('full', () => q.full());
      await attempt('putFull', () => q.put(3, { block: false }));
      await attempt('putTimeout', () => q.put(3, { timeout: 50 }));
      await attempt('qsize', () => q.qsize());
      await attempt('get', () => q.get());
      await attempt('getNowait', () => q.getNowait());
      await attempt('getEmpty', () => q.get({ block: false }));
      await attempt('getTimeout', () => q.get(50));
      expect(here).toEqual(expectedForms);
    });

    it('test_task_done: a JoinableQueue proxy joins once workers marked every item done; one more taskDone fails', async () => {
      const q = manager.JoinableQueue<number | null>();
      const workers = range(2).map(() => start(context, tasks.drain, [q]));
      for (const i of range(10)) await q.put(i);
      await q.join();
      for (const _ of workers) await q.put(null);
      await q.join();
      for (const w of workers) {
        await w.join(20_000);
        expect(w.exitCode).toBe(0);
      }
      const extra = await settle(() => q.taskDone());
      expect(extra.error).toBeInstanceOf(Error); // Python: ValueError('task_done() called too many times')
      expect((extra.error as Error).name).toBe('ValidationError');
    }, 30_000);
  },
);

describe.each(FORMS)('more synchronisation, $form form in the $context context', ({ form, context }) => {
  const make = factories(form);

  it('_TestCondition.test_wait_result: wait(0) and wait(ms) give false, a notify from a worker true', async () => {
    const c = make.Condition!();
    await c.acquire!();
    expect(await c.wait!(0)).toBe(false);
    expect(await c.wait!(100)).toBe(false);
    const p = start(context, more.notifyOnce, [c]);
    expect(await c.wait!(60_000)).toBe(true);
    await c.release!();
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });

  it('_TestLock.test_rlock_locked_2processes: a worker sees an RLock held here as locked', async () => {
    const lock = make.RLock!();
    const p = pool({ processes: 1, context });
    expect(await p.apply(tasks.isLocked, [lock])).toBe(false);
    await lock.acquire!();
    await lock.acquire!();
    expect(await p.apply(tasks.isLocked, [lock])).toBe(true);
    await lock.release!();
    expect(await p.apply(tasks.isLocked, [lock])).toBe(true);
    await lock.release!();
    expect(await p.apply(tasks.isLocked, [lock])).toBe(false);
  });

  it("_TestBarrier.test_default_timeout: the barrier's own timeout breaks a wait without one", async () => {
    const bar = make.Barrier!(2, { timeout: 100 });
    expect((await settle(() => bar.wait!())).error).toBeInstanceOf(BrokenBarrierError);
    await bar.reset!();
    const p = pool({ processes: 1, context });
    const other = p.apply(tasks.barrierOutcome, [bar, 20_000]);
    expect(await bar.wait!(20_000)).toBeTypeOf('number');
    expect(await other).toBeTypeOf('number');
  });
});

describe.each(CONTEXTS)("_TestBarrier.test_action with the manager's Barrier, %s workers", (context) => {
  it('the action runs once per passing, before the parties are released', async () => {
    await using manager = Manager();
    let runs = 0;
    const bar = manager.Barrier(3, { action: () => void (runs += 1) });
    const p = pool({ processes: 2, context });
    for (let cycle = 1; cycle <= 2; cycle += 1) {
      const others = [p.apply(tasks.barrierWait, [bar, 20_000]), p.apply(tasks.barrierWait, [bar, 20_000])];
      await bar.wait(20_000);
      expect(runs).toBe(cycle);
      await Promise.all(others);
    }
  });
});

describe.each(CONTEXTS)('_TestPool arguments, %s context', (context) => {
  it('an argument that cannot be sent rejects the call with SerializationError naming its path', async () => {
    const p = pool({ processes: 1, context });
    const err = await p.apply(tasks.identity, [{ onDone: () => 1 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerializationError);
    expect((err as SerializationError).path).toBe('args[0].onDone');
    await expect(
      p.starmap(tasks.mul, [
        [1, 2],
        [Symbol('x') as never, 1],
      ]),
    ).rejects.toBeInstanceOf(SerializationError);
    expect(await p.apply(tasks.sqr, [4])).toBe(16);
  });

  it('chunksize 0, negative or fractional is refused with ValidationError (Python: ValueError)', async () => {
    const p = pool({ processes: 1, context });
    for (const chunksize of [0, -1, 1.5]) {
      await expect(p.map(tasks.sqr, [1], { chunksize })).rejects.toBeInstanceOf(ValidationError);
      expect(() => p.imap(tasks.sqr, [1], { chunksize })).toThrow(ValidationError);
    }
  });

  it('an exhausted imap iterator stays done; empty async iterables give []', async () => {
    const p = pool({ processes: 1, context });
    const it = p.imap(tasks.sqr, [2]);
    expect(await it.next()).toEqual({ done: false, value: 4 });
    expect((await it.next()).done).toBe(true);
    expect((await it.next()).done).toBe(true);
    async function* none(): AsyncGenerator<number> {}
    expect(await p.map(tasks.sqr, none())).toEqual([]);
    expect(await p.starmap(tasks.mul, (async function* () {})())).toEqual([]);
  });
});

describe.each(FORMS)('_TestBarrier with workers, $form form in the $context context', ({ form, context }) => {
  const make = factories(form);
  const N = 3;

  it('test_abort_and_reset: one party aborts, the others see BrokenBarrierError, then all pass again', {
    timeout: 60_000,
  }, async () => {
    const [b1, b2, b3] = [make.Barrier!(N), make.Barrier!(N), make.Barrier!(N)];
    const p = pool({ processes: N, context });
    const all = await Promise.all(range(N).map(() => p.apply(barriers.abortAndReset, [b1, b2, b3, N])));
    const count = (k: number) => all.filter((r) => r.includes(k)).length;
    expect(count(1)).toBe(0);
    expect(count(2)).toBe(N - 1);
    expect(count(3)).toBe(N);
  });

  it('test_thousand: every party records pass i before any records pass i + 1', {
    timeout: 60_000,
  }, async () => {
    const passes = 30;
    const bar = make.Barrier!(N);
    const lock = make.Lock!();
    await using manager = Manager();
    const log = form === 'shared' ? new SharedArray('i', passes * N) : manager.list<number>();
    const count = form === 'shared' ? new Value('i', 0) : null;
    const p = pool({ processes: N, context });
    await Promise.all(range(N).map(() => p.apply(barriers.passes, [bar, passes, lock, log, count])));
    const got =
      log instanceof SharedArray ? log.toArray() : await (log as ReturnType<SyncManager['list']>).slice();
    expect(got).toEqual(range(passes).flatMap((i) => Array(N).fill(i)));
  });
});

describe.each(CONTEXTS)('TestSyncManagerTypes: each proxy used in a %s Process', (context) => {
  let manager: SyncManager;
  beforeAll(() => {
    manager = Manager();
  });
  afterAll(async () => {
    await manager.shutdown();
  });

  /** Python's `run_worker`: the target runs in a Process that must end with exit code 0. */
  async function runWorker(target: (typeof managerTypes)[keyof typeof managerTypes], obj: unknown) {
    const p = start(context, target, [obj]);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  }

  it('list and dict: the worker reads and empties them', { timeout: 60_000 }, async () => {
    const l = manager.list<number>();
    await l.append(5);
    await runWorker(managerTypes.list, l);
    expect(await l.len()).toBe(0);
    const d = manager.dict<string, number>();
    await d.set('foo', 5);
    await runWorker(managerTypes.dict, d);
    expect(await d.len()).toBe(0);
  });

  it('Value, Array and Namespace', { timeout: 60_000 }, async () => {
    const v = manager.Value('i', 1);
    await runWorker(managerTypes.value, v);
    expect(await v.get()).toBe(2);
    await runWorker(managerTypes.array, manager.Array('i', [0, 1]));
    const ns = manager.Namespace();
    await ns.set('x', 0);
    await ns.set('y', 1);
    await runWorker(managerTypes.namespace, ns);
  });

  it('Event: the worker clears what this side set', { timeout: 60_000 }, async () => {
    const ev = manager.Event();
    await ev.set();
    await runWorker(managerTypes.event, ev);
    expect(await ev.isSet()).toBe(false);
    expect(await ev.wait(1)).toBe(false);
  });

  it('Lock: a worker that ended keeps it held; this side releases it, then a release throws', {
    timeout: 60_000,
  }, async () => {
    const lock = manager.Lock();
    await runWorker(managerTypes.lock, lock);
    expect(await lock.locked()).toBe(true);
    await lock.release();
    expect((await settle(() => lock.release())).error).toBeInstanceOf(LockError); // Python: RuntimeError
  });

  it('RLock and Condition: acquired and released in the worker', { timeout: 60_000 }, async () => {
    const rlock = manager.RLock();
    await runWorker(managerTypes.rlock, rlock);
    expect(await rlock.locked()).toBe(false);
    const cond = manager.Condition();
    await runWorker(managerTypes.condition, cond);
    expect(await cond.acquire({ block: false })).toBe(true);
    await cond.release();
  });

  it('Semaphore and BoundedSemaphore: a permit the worker took, this side gives back', {
    timeout: 60_000,
  }, async () => {
    for (const sem of [manager.Semaphore(), manager.BoundedSemaphore()]) {
      await runWorker(managerTypes.semaphore, sem);
      expect(await sem.getValue()).toBe(0);
      await sem.release();
      expect(await sem.getValue()).toBe(1);
    }
  });

  it('Barrier: the worker reads parties and resets it', { timeout: 60_000 }, async () => {
    await runWorker(managerTypes.barrier, manager.Barrier(5));
  });

  it('Queue and JoinableQueue of maxsize 2: the worker gets both items', { timeout: 60_000 }, async () => {
    for (const q of [manager.Queue<number>(2), manager.JoinableQueue<number>(2)]) {
      await q.put(5);
      await q.put(6);
      await runWorker(managerTypes.queue, q);
      expect(await q.empty()).toBe(true);
      expect(await q.full()).toBe(false);
    }
  });
});

describe.each(CONTEXTS)('_TestProcess in the %s context', (context) => {
  const ctx = getContext(context);

  it('test_process: state before, during and after; the target gets its arguments', async () => {
    const q = queue<unknown>({ maxsize: 1 });
    const p = new mp.Process({ target: procs.report, args: [q, 1, 2], name: 'SomeProcess', context });
    killAfterTest(p);
    p.daemon = true;
    expect(p.isAlive()).toBe(false);
    expect(p.daemon).toBe(true);
    expect(mp.activeChildren()).not.toContain(p);
    expect(Array.isArray(mp.activeChildren())).toBe(true);
    expect(p.exitCode).toBeNull();
    p.start();
    expect(p.exitCode).toBeNull();
    expect(p.isAlive()).toBe(true);
    expect(mp.activeChildren()).toContain(p);
    expect(await q.get({ timeout: 20_000 })).toEqual([1, 2]);
    expect(await q.get({ timeout: 20_000 })).toBe('SomeProcess');
    expect(await q.get({ timeout: 20_000 })).toBe(p.pid);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    expect(p.isAlive()).toBe(false);
    expect(mp.activeChildren()).not.toContain(p);
    expect(() => {
      p.daemon = false;
    }).toThrow(); // Python: AssertionError, process has already started
  });

  for (const [how, code] of [
    ['terminate', -15],
    ['kill', -9],
    // test_interrupt_no_handler: Node's default for SIGINT is Python's SIG_DFL (a thread: stopped)
    ['interrupt', -2],
  ] as const) {
    it(`test_${how}: join(0) and join(-1) return at once while it runs; ${how}() gives exitCode ${code}`, async () => {
      const p = start(context, procs.sleepSome, []);
      expect(p.isAlive()).toBe(true);
      expect(mp.activeChildren()).toContain(p);
      expect(p.exitCode).toBeNull();
      await p.join(0);
      expect(p.isAlive()).toBe(true);
      await p.join(-1);
      expect(p.isAlive()).toBe(true);
      await sleepMs(300);
      if (how === 'terminate') await p.terminate();
      else p[how]();
      await p.join(20_000);
      expect(mp.activeChildren()).not.toContain(p);
      expect(p.exitCode).toBe(code);
    });
  }

  it('test_many_processes: five end with 0; five terminated at once after start() end with -15', {
    timeout: 60_000,
  }, async () => {
    const ok = range(5).map(() => start(context, procs.napFor, [10]));
    for (const p of ok) await p.join(30_000);
    expect(ok.map((p) => p.exitCode)).toEqual([0, 0, 0, 0, 0]);
    const stopped = range(5).map(() => start(context, procs.sleepSome, []));
    await sleepMs(1);
    await Promise.all(stopped.map((p) => p.terminate()));
    for (const p of stopped) await p.join(30_000);
    expect(stopped.map((p) => p.exitCode)).toEqual([-15, -15, -15, -15, -15]);
  });

  it('test_active_children: listed while it runs only', async () => {
    const p = new mp.Process({ target: procs.napFor, args: [100], context });
    killAfterTest(p);
    expect(mp.activeChildren()).not.toContain(p);
    p.daemon = true;
    p.start();
    expect(mp.activeChildren()).toContain(p);
    await p.join(20_000);
    expect(mp.activeChildren()).not.toContain(p);
  });

  it('test_sentinel: none before start(); not ready while it runs, ready once it ended', async () => {
    const ev = ctx.Event() as unknown as Loose;
    const p = new mp.Process({ target: procs.waitEvent, args: [ev], context });
    killAfterTest(p);
    expect(() => p.sentinel).toThrow(); // Python: ValueError
    p.start();
    const sentinel = p.sentinel;
    expect(await mp.wait([sentinel], 0)).toEqual([]);
    await ev.set!();
    await p.join(20_000);
    expect(await mp.wait([sentinel], 1000)).toEqual([sentinel]);
  });

  it('test_close: close() of a live process throws; after close() every method throws', async () => {
    const q = queue<null>();
    const p = start(context, procs.getOne, [q]);
    expect(p.isAlive()).toBe(true);
    expect(() => p.close()).toThrow(); // Python: ValueError, cannot close a process while it is running
    await q.put(null);
    await p.join(20_000);
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBe(0);
    p.close();
    expect(() => p.isAlive()).toThrow(ClosedError);
    await expect(p.join()).rejects.toBeInstanceOf(ClosedError);
    await expect(Promise.resolve().then(() => p.terminate())).rejects.toBeInstanceOf(ClosedError);
    p.close(); // a second close() does nothing
  });

  it('test_wait_for_threads: the process ends only after work its target left running', async () => {
    const ev = ctx.Event() as unknown as Loose;
    const p = start(context, procs.setLater, [ev, 300]);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    expect(await ev.isSet!()).toBe(true);
  });

  it('test_sys_exit: process.exit(n) gives exitCode n', async () => {
    for (const code of [0, 1, 8]) {
      const p = start(context, procs.exitWith, [code]);
      await p.join(20_000);
      expect(p.exitCode).toBe(code);
    }
  });

  it('test_recursion: processes started inside processes, depth 2', { timeout: 60_000 }, async () => {
    const q = queue<number[]>();
    const p = start(context, procs.recurse, [q, [], 2, context]);
    await p.join(50_000);
    expect(p.exitCode).toBe(0);
    const paths: number[][] = [];
    for (let i = 0; i < 7; i += 1) paths.push(await q.get({ timeout: 1000 }));
    expect(paths).toEqual([[], [0], [0, 0], [0, 1], [1], [1, 0], [1, 1]]);
  });
});

describe.each(CONTEXTS)('_TestConnection and _TestPoll in the %s context', (context) => {
  it('test_connection: values, bytes, recvBytesInto with an offset, BufferTooShort, poll, 16 MiB, then EOFError', {
    timeout: 60_000,
  }, async () => {
    const [conn, childConn] = mp.Pipe();
    const p = start(context, conns.echoBytes, [childConn]);
    const msg = latin('hello world');
    const longmsg = latin('hello world'.repeat(10));
    expect(conn.sendBytes(msg)).toBeUndefined();
    expect(text(await conn.recvBytes())).toBe('hello world');
    const arr = new Int32Array([0, 1, 2, 3]);
    let buffer = new Int32Array(10);
    conn.sendBytes(arr);
    expect(await conn.recvBytesInto(buffer)).toBe(16);
    expect([...buffer]).toEqual([0, 1, 2, 3, 0, 0, 0, 0, 0, 0]);
    buffer = new Int32Array(10);
    conn.sendBytes(arr);
    expect(await conn.recvBytesInto(buffer, 3 * 4)).toBe(16);
    expect([...buffer]).toEqual([0, 0, 0, 0, 1, 2, 3, 0, 0, 0]);
    conn.sendBytes(longmsg);
    const short = await conn.recvBytesInto(new Uint8Array(40)).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(mp.BufferTooShortError);
    expect(text((short as { args: [Uint8Array] }).args[0])).toBe(text(longmsg));
    expect(await conn.poll()).toBe(false);
    expect(await conn.poll(100)).toBe(false);
    conn.sendBytes(latin(''));
    expect(await conn.poll(10_000)).toBe(true);
    expect(await conn.recvBytes()).toEqual(new Uint8Array(0));
    const big = new Uint8Array(16 * 1024 * 1024).fill(88);
    conn.sendBytes(big);
    const back = await conn.recvBytes();
    expect(back.length).toBe(big.length);
    expect(back.every((b) => b === 88)).toBe(true);
    conn.sendBytes(SENTINEL);
    childConn.close();
    expect(conn.readable).toBe(true);
    expect(conn.writable).toBe(true);
    await expect(conn.recv()).rejects.toBeInstanceOf(mp.EOFError);
    await expect(conn.recvBytes()).rejects.toBeInstanceOf(mp.EOFError);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });

  it('test_connection with values: send() and recv() through an echoing worker', async () => {
    const [conn, childConn] = mp.Pipe();
    const p = start(context, conns.echo, [childConn]);
    childConn.close();
    const seq = [1, 2.25, null];
    expect(conn.send(seq)).toBeUndefined();
    expect(await conn.recv()).toEqual(seq);
    conn.send(null);
    await expect(conn.recv()).rejects.toBeInstanceOf(mp.EOFError);
    await p.join(20_000);
  });

  it('test_duplex_false: each end is one-way', async () => {
    const [reader, writer] = mp.Pipe({ duplex: false });
    expect(writer.send(1)).toBeUndefined();
    expect(await reader.recv()).toBe(1);
    expect([reader.readable, reader.writable, writer.readable, writer.writable]).toEqual([
      true,
      false,
      false,
      true,
    ]);
    // the types refuse these calls already (`never`); at run time they throw (Python: OSError)
    const [r, w] = [reader as unknown as Loose, writer as unknown as Loose];
    expect(() => r.send!(2)).toThrow(mp.ProcessError);
    await expect(Promise.resolve().then(() => w.recv!())).rejects.toBeInstanceOf(mp.ProcessError);
    await expect(Promise.resolve().then(() => w.poll!())).rejects.toBeInstanceOf(mp.ProcessError);
  });

  it('test_spawn_close: the parent closes its copy of the child end right after start()', async () => {
    const [conn, childConn] = mp.Pipe();
    const p = start(context, conns.echoBytes, [childConn]);
    childConn.close();
    conn.sendBytes(latin('hello'));
    expect(text(await conn.recvBytes())).toBe('hello');
    conn.sendBytes(SENTINEL);
    conn.close();
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });

  it('test_sendbytes: offset and size select the bytes; out of range is refused', async () => {
    const msg = latin('abcdefghijklmnopqrstuvwxyz');
    const [a, b] = mp.Pipe();
    a.sendBytes(msg);
    expect(text(await b.recvBytes())).toBe('abcdefghijklmnopqrstuvwxyz');
    a.sendBytes(msg, 5);
    expect(text(await b.recvBytes())).toBe('fghijklmnopqrstuvwxyz');
    a.sendBytes(msg, 7, 8);
    expect(text(await b.recvBytes())).toBe('hijklmno');
    a.sendBytes(msg, 26);
    expect(text(await b.recvBytes())).toBe('');
    a.sendBytes(msg, 26, 0);
    expect(text(await b.recvBytes())).toBe('');
    for (const [offset, size] of [
      [27, undefined],
      [22, 5],
      [26, 1],
      [-1, undefined],
      [4, -1],
    ] as const) {
      expect(() => a.sendBytes(msg, offset, size), `${offset}, ${size}`).toThrow(ValidationError);
    }
    expect(await b.poll()).toBe(false); // nothing refused was sent
  });

  it('test_empty_string / test_dont_merge: poll() sees an empty message; messages stay apart', async () => {
    const [a, b] = mp.Pipe();
    expect(await a.poll()).toBe(false);
    b.sendBytes(latin(''));
    expect(await a.poll()).toBe(true);
    expect(await a.poll()).toBe(true);
    expect(await a.recvBytes()).toEqual(new Uint8Array(0));
    expect(await a.poll(0)).toBe(false);
    expect(await a.poll(100)).toBe(false);
    const p = start(context, conns.dontMerge, [b]);
    expect(text(await a.recvBytes())).toBe('a');
    expect(await a.poll(10_000)).toBe(true);
    expect(await a.poll(10_000)).toBe(true);
    expect(text(await a.recvBytes())).toBe('b');
    expect(await a.poll(10_000)).toBe(true);
    expect(await a.poll(0)).toBe(true);
    expect(text(await a.recvBytes())).toBe('cd');
    await p.join(20_000);
  });

  it('test_strings: each message as sent, empty ones included', async () => {
    const strings = ['hello', '', 'a', 'b', '', 'bye', '', 'lop'];
    const [a, b] = mp.Pipe();
    const p = start(context, conns.strings, [b, strings]);
    for (const s of strings) {
      expect(await a.poll(10_000)).toBe(true);
      expect(text(await a.recvBytes())).toBe(s);
    }
    await p.join(20_000);
  });

  it('test_boundaries: a worker that polled and ended leaves the messages whole', async () => {
    const [r, w] = mp.Pipe({ duplex: false });
    const p = start(context, conns.boundaries, [r]);
    await sleepMs(500);
    for (const s of ['first', 'second']) w.sendBytes(latin(s));
    w.close();
    await p.join(20_000);
    // Python accepts either (a poll may pull a message into the child); here none is lost
    expect(text(await r.recvBytes())).toBe('first');
    expect(text(await r.recvBytes())).toBe('second');
  });
});

describe.each(CONTEXTS)('TestWait and TestSimpleQueue in the %s context', (context) => {
  const ctx = getContext(context);

  for (const slow of [false, true]) {
    it(`test_wait${slow ? '_slow' : ''}: wait() on four readers gives every message, then EOFError for each`, async () => {
      let readers = range(4).map((id) => {
        const [r, w] = mp.Pipe<[number, number]>({ duplex: false });
        start(context, waits.tenMessages, [w, id, slow]);
        w.close();
        return r;
      });
      const messages: [number, number][] = [];
      while (readers.length > 0) {
        for (const r of await mp.wait(readers, 20_000)) {
          try {
            messages.push(await r.recv());
          } catch (err) {
            expect(err).toBeInstanceOf(mp.EOFError);
            readers = readers.filter((x) => x !== r);
            r.close();
          }
        }
      }
      const key = ([i, id]: [number, number]) => id * 100 + i;
      expect(messages.sort((x, y) => key(x) - key(y))).toEqual(
        range(4).flatMap((id) => range(10).map((i) => [i, id])),
      );
    });
  }

  it('test_wait_timeout / test_neg_timeout: [] when nothing is ready; the ready end once sent to', async () => {
    const [a, b] = mp.Pipe();
    expect(await mp.wait([a, b], 200)).toEqual([]);
    expect(await mp.wait([a], -1)).toEqual([]);
    b.send(null);
    expect(await mp.wait([a, b], 20_000)).toEqual([a]);
    a.close();
    b.close();
  });

  it('test_wait_integer: a sentinel among connections is ready once its process ends', async () => {
    const sem = ctx.Semaphore(0) as unknown as Loose;
    const [a, b] = mp.Pipe();
    const p = start(context, waits.signalAndSleep, [sem, 300]);
    expect(await sem.acquire!({ timeout: 20_000 })).toBe(true);
    expect(await mp.wait([a, p.sentinel, b], 20_000)).toEqual([p.sentinel]);
    a.send(null);
    expect(new Set(await mp.wait([a, p.sentinel, b], 20_000))).toEqual(new Set([p.sentinel, b]));
    b.send(null);
    expect(new Set(await mp.wait([a, p.sentinel, b], 20_000))).toEqual(new Set([a, p.sentinel, b]));
    a.close();
    b.close();
  });

  it('TestSimpleQueue.test_empty: a worker sees its own put at once; this side sees both', async () => {
    const queue = new mp.SimpleQueue<boolean>();
    closeAfterTest(queue);
    const childCanStart = ctx.Event() as unknown as Loose;
    const parentCanContinue = ctx.Event() as unknown as Loose;
    const p = start(context, waits.simpleEmpty, [queue, childCanStart, parentCanContinue]);
    expect(queue.empty()).toBe(true);
    await childCanStart.set!();
    await parentCanContinue.wait!(20_000);
    expect(queue.empty()).toBe(false);
    expect(await queue.get()).toBe(true);
    expect(await queue.get()).toBe(false);
    expect(queue.empty()).toBe(true);
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
  });

  it('TestSimpleQueue.test_close: closing twice does not fail', () => {
    const queue = new mp.SimpleQueue();
    queue.close();
    queue.close();
  });
});

describe.each(CONTEXTS)('_TestListenerClient and _TestListener in the %s context', (context) => {
  it('test_listener_client: a worker connects to each family and sends hello', async () => {
    for (const address of [undefined, ['127.0.0.1', 0] as [string, number]]) {
      const l = new mp.Listener(address);
      const bound = await l.ready();
      const p = start(context, clients.sayHello, [bound]);
      const conn = await l.accept();
      expect(await conn.recv()).toBe('hello');
      await p.join(20_000);
      expect(p.exitCode).toBe(0);
      conn.close();
      l.close();
    }
  });

  it('test_issue14725: a client that connected, sent and closed before accept() is still accepted', async () => {
    const l = new mp.Listener();
    const p = start(context, clients.sayHello, [l.address]);
    await p.join(20_000);
    const conn = await l.accept();
    expect(await conn.recv()).toBe('hello');
    conn.close();
    l.close();
  });

  it('test_empty_authkey: an empty key is a key; both sides hold it', async () => {
    const l = new mp.Listener(null, { authkey: '' });
    const p = start(context, clients.sayHello, [l.address, '']);
    const d = await l.accept();
    expect(await d.recv()).toBe('hello');
    await p.join(20_000);
    d.close();
    l.close();
    await expect(l.accept()).rejects.toBeInstanceOf(Error); // Python: OSError after close
  });
});

describe('_TestListener (one program)', () => {
  it('test_issue16955: poll() of a Client sees what the accepted end sent', async () => {
    for (const address of [undefined, ['127.0.0.1', 0] as [string, number]]) {
      const l = new mp.Listener(address);
      const c = await mp.Client(await l.ready());
      const a = await l.accept();
      a.sendBytes(new TextEncoder().encode('hello'));
      expect(await c.poll(1000)).toBe(true);
      a.close();
      c.close();
      l.close();
    }
  });

  it('test_multiple_bind: a second Listener on a bound address fails with EADDRINUSE from ready() and accept()', async () => {
    // Python's constructor raises OSError; Node binds asynchronously, so the error is a rejection
    const tcp = new mp.Listener(['127.0.0.1', 0]);
    for (const l of [new mp.Listener(), tcp]) {
      const again = new mp.Listener(await l.ready());
      await expect(again.ready()).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await expect(again.accept()).rejects.toMatchObject({ code: 'EADDRINUSE' });
      again.close();
      const c = await mp.Client(l.address); // the first listener still serves
      const d = await l.accept();
      c.send(1);
      expect(await d.recv()).toBe(1);
      c.close();
      d.close();
      l.close();
    }
  });

  it('test_context: `using` closes the listener, the client and the accepted end', async () => {
    let kept: InstanceType<typeof mp.Listener>;
    {
      await using l = new mp.Listener();
      kept = l;
      await using c = await mp.Client(l.address);
      await using d = await l.accept();
      c.send(1729);
      expect(await d.recv()).toBe(1729);
    }
    await expect(kept.accept()).rejects.toBeInstanceOf(Error);
  });
});

describe.each(CONTEXTS)(
  'results that cannot be sent back, and close/terminate/join orders, %s context',
  (context) => {
    it('test_unpickleable_result for each kind: SerializationError naming the path; the worker lives on', async () => {
      const p = pool({ processes: 1, context });
      const paths: Record<string, string> = {
        symbol: 'result',
        weakmap: 'result',
        promise: 'result.p',
        nestedFn: 'result[1].deep[0]',
        getter: 'result.boom',
        ...(context === 'process' ? { value: 'result', lock: 'result' } : {}),
      };
      for (const [kind, path] of Object.entries(paths)) {
        const err = await p.apply(results.make, [kind]).catch((e: unknown) => e);
        expect(err, kind).toBeInstanceOf(SerializationError);
        expect((err as SerializationError).path, kind).toBe(path);
      }
      const circular = (await p.apply(results.make, ['circular'])) as { self: unknown };
      expect(circular.self).toBe(circular);
      expect(await p.apply(results.make, ['plain'])).toEqual({
        m: new Map([[1, 2]]),
        s: new Set([1]),
        d: new Date(0),
        b: 10n,
        u8: new Uint8Array([1, 2]),
      });
    });

    it('close(), join() pending, then terminate(): join() resolves; pending calls reject with PoolClosedError', async () => {
      const p = pool({ processes: 1, context });
      const running = p.apply(tasks.sleepFor, [60_000]);
      const queued = p.map(tasks.sqr, range(5));
      p.close();
      const joined = p.join();
      await sleepMs(100);
      await p.terminate();
      await joined;
      await expect(running).rejects.toBeInstanceOf(PoolClosedError);
      await expect(queued).rejects.toBeInstanceOf(PoolClosedError);
      await p.join(); // again: resolves
      p.close(); // after terminate(): does nothing
      await p.terminate(); // twice: does nothing
    });

    it('terminate() without close(), then join(); an imap loop in progress ends with PoolClosedError', async () => {
      const p = pool({ processes: 1, context });
      const it = p.imap(
        tasks.sqr,
        range(1000).map((i) => i),
        { chunksize: 1 },
      );
      expect((await it.next()).value).toBe(0);
      await p.terminate();
      await p.join();
      const rest = await drainUntilError(it);
      expect(rest.error).toBeInstanceOf(PoolClosedError);
      for (const [i, v] of rest.values.entries()) expect(v).toBe((i + 1) * (i + 1));
    });

    it('after close(), an imap made before still yields every result', async () => {
      const p = pool({ processes: 2, context });
      const it = p.imap(tasks.sqr, range(20));
      p.close();
      const got: number[] = [];
      for await (const v of it) got.push(v);
      expect(got).toEqual(squares(20));
      await p.join();
    });
  },
);

describe.each(CONTEXTS)(
  'blocking put() and join() across a %s worker (Python: put(block=True), join())',
  (context) => {
    it('a put() waiting for room here resumes when a worker gets; a worker waiting resumes when this side gets', async () => {
      const q = queue<number>({ maxsize: 2 });
      await q.put(1);
      await q.put(2);
      const pending = q.put(3);
      const out = queue<unknown>();
      const taker = start(context, tasks.getSome, [q, out, 1, 10_000]);
      await pending;
      expect(await out.get({ timeout: 20_000 })).toBe(1);
      await taker.join(20_000);
      expect([await q.get(), await q.get()]).toEqual([2, 3]);

      const p = pool({ processes: 1, context });
      const note = queue<string>();
      const putter = p.apply(blocking.putWaiting, [q, range(6), note]);
      // Nothing is taken before the worker found the queue full: its third put has to wait.
      expect(await note.get({ timeout: 20_000 })).toBe('full');
      const got: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        await sleepMs(20);
        got.push(await q.get({ timeout: 20_000 }));
      }
      expect(got).toEqual(range(6));
      expect(await putter).toBeGreaterThan(0); // it did wait for room
    });

    it("a worker's join() resolves once this side marked every item done", async () => {
      const q = new JoinableQueue<number>();
      closeAfterTest(q);
      await q.put(1);
      await q.put(2);
      const p = pool({ processes: 1, context });
      const joined = p.apply(blocking.joinIt, [q]);
      await q.get();
      q.taskDone();
      await sleepMs(100);
      let settled = false;
      void joined.then(() => (settled = true));
      await sleepMs(100);
      expect(settled).toBe(false);
      await q.get();
      q.taskDone();
      expect(await joined).toBe('joined');
    });
  },
);
