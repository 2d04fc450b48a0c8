// Bad and odd input to the whole public API, as a demanding user tries it from plain JavaScript (no
// types to stop them): constructors and options, timeouts, iterables, arguments of every kind,
// task functions of every shape, use after close/terminate/shutdown, and lock misuse. Each case
// asserts the named error of the earliest point (thrown at once, or the rejection of a method that
// returns a Promise), that its message says what to do where that is the point, and that nothing is
// lost: the pool still answers, the object still works. Collected from an audit whose faults were
// fixed with tests of their own in the packages; these cases passed and stay guarded here. Full
// tier (`MULTIPROC_TESTS=full`, both contexts; see vitest.config.ts).
import mp, {
  BrokenBarrierError,
  ClosedError,
  ContextError,
  EOFError,
  LockError,
  ManagerClosedError,
  Pool,
  PoolClosedError,
  ProcessError,
  QueueEmptyError,
  SerializationError,
  TimeoutError,
  ValidationError,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/bad-input-54-tasks.mjs';

type Any = any;
const m = mp as Any;
const t = tasks as Any;
// Task references to a module that does not exist, and to a task its module does not define.
const missingModule = mp.defineTasks(new URL('./fixtures/bad-input-54-none.mjs', import.meta.url).href, {
  gone: () => 1,
});
const missingTask = mp.defineTasks(
  new URL('./fixtures/bad-input-54-missing-task.mjs', import.meta.url).href,
  {
    absent: () => 1,
  },
);

/** What `fn` does: `throw` (synchronously), `reject` or `resolve`, with the error or value. */
async function outcome(fn: () => unknown): Promise<{ how: string; error?: Any; value?: unknown }> {
  let r: unknown;
  try {
    r = fn();
  } catch (error) {
    return { how: 'throw', error };
  }
  if (!(r instanceof Promise)) return { how: 'return', value: r };
  try {
    return { how: 'resolve', value: await r };
  } catch (error) {
    return { how: 'reject', error };
  }
}

/** `fn` throws at once an instance of `cls` whose message matches `says`. */
function throwsNow(fn: () => unknown, cls: Any, says?: RegExp): void {
  expect(fn).toThrow(cls);
  if (says) expect(fn).toThrow(says);
}

/** `fn` returns a Promise that rejects with `cls` (never throws synchronously). */
async function rejects(fn: () => unknown, cls: Any, says?: RegExp): Promise<Any> {
  const o = await outcome(fn);
  expect(o.how, String(o.error ?? o.value)).toBe('reject');
  expect(o.error).toBeInstanceOf(cls);
  if (says) expect(o.error.message).toMatch(says);
  return o.error;
}

describe('constructors and their options', () => {
  it.each([
    [{ processes: 0 }, 'processes'],
    [{ processes: -1 }, 'processes'],
    [{ processes: 1.5 }, 'processes'],
    [{ processes: Number.NaN }, 'processes'],
    [{ processes: '2' }, 'processes'],
    [{ processes: Number.POSITIVE_INFINITY }, 'processes'],
    [{ processes: 2n }, 'processes'],
    [{ maxTasksPerChild: 0 }, 'maxTasksPerChild'],
    [{ maxTasksPerChild: 1.5 }, 'maxTasksPerChild'],
    [{ maxtasksperchild: 2 }, 'maxTasksPerChild'],
    [{ initializer: () => 1 }, 'initializer'],
    [{ initializer: 5 }, 'initializer'],
    [{ initializer: tasks.echo, initargs: 'x' }, 'initargs'],
    [{ context: 'bogus' }, 'context'],
    [{ context: {} }, 'context'],
    [{ procesess: 2 }, 'procesess'],
    [{ minProcesses: 3, processes: 1 }, 'minProcesses'],
    [{ idleTimeout: -1 }, 'idleTimeout'],
    [{ maxQueue: 0 }, 'maxQueue'],
    [2, 'processes: 2'],
    ['2', 'options are an object'],
  ])('new Pool(%o) throws ValidationError naming %s', (options, names) => {
    throwsNow(() => new Pool(options as never), ValidationError, new RegExp(names));
  });

  it('new Pool() with an initarg that cannot be sent throws SerializationError naming it', () => {
    throwsNow(
      () => new Pool({ initializer: tasks.echo, initargs: [() => 1] } as never),
      SerializationError,
      /initargs\[0\]/,
    );
  });

  it.each([
    [{ target: 5 }, 'target'],
    [{ target: () => 1 }, 'defineTasks'],
    [{}, 'needs a target'],
    [undefined, 'needs its options'],
    [{ target: tasks.echo, args: 'x' }, 'args'],
    [{ target: tasks.echo, args: { 0: 1 } }, 'args'],
    [{ target: tasks.echo, kwargs: { a: 1 } }, 'kwargs'],
    [{ target: tasks.echo, name: 3 }, 'name'],
    [{ target: tasks.echo, daemon: 'yes' }, 'daemon'],
    [{ target: tasks.echo, context: 'bogus' }, 'context'],
    [tasks.echo, 'options are an object'],
  ])('new Process(%o) throws ValidationError naming %s', (options, names) => {
    throwsNow(() => new mp.Process(options as never), ValidationError, new RegExp(names));
  });

  it('queues, pipes and shared memory refuse bad sizes, typecodes and values', () => {
    throwsNow(() => new mp.Queue(1.5 as never), ValidationError, /'maxsize'.*got the number 1\.5/);
    throwsNow(() => new mp.Queue('x' as never), ValidationError, /options are an object/);
    throwsNow(() => new mp.Queue({ maxsize: Number.NaN }), ValidationError, /maxsize/);
    throwsNow(() => new mp.JoinableQueue({ maxSize: 2 } as never), ValidationError, /spelt maxsize/);
    throwsNow(() => new mp.SimpleQueue(5 as never), ValidationError);
    throwsNow(() => mp.Pipe('yes' as never), ValidationError);
    throwsNow(() => mp.Pipe({ duplex: 'yes' } as never), ValidationError, /'duplex'.*got the string 'yes'/);
    for (const n of [-1, 1.5, Number.NaN, '2', null, 2n, 2 ** 40]) {
      throwsNow(() => new mp.Semaphore(n as never), ValidationError);
      throwsNow(() => new mp.BoundedSemaphore(n as never), ValidationError);
    }
    for (const n of [0, -1, 1.5, '2', Number.NaN, undefined, Number.POSITIVE_INFINITY]) {
      throwsNow(() => new mp.Barrier(n as never), ValidationError, /parties/);
    }
    throwsNow(() => new mp.Barrier(2, (() => {}) as never), ValidationError, /options are an object/);
    throwsNow(() => new mp.Barrier(2, { action: 5 } as never), ValidationError, /action/);
    for (const code of ['q?', 'x', '', 5, null, 'int', 'c', Int32Array]) {
      throwsNow(() => new mp.Value(code as never, 0 as never), ValidationError, /typecode/);
    }
    for (const [code, v] of [
      ['i', 'abc'],
      ['i', 1.5],
      ['i', 2 ** 40],
      ['i', Number.NaN],
      ['B', -1],
      ['q', 1],
      ['i', 1n],
    ] as const) {
      throwsNow(() => new mp.Value(code, v as never), ValidationError, /holds/);
    }
    expect(Object.is(new mp.Value('d', -0).value, -0)).toBe(true);
    for (const size of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 'abc', '3', {}, null, 3n]) {
      throwsNow(() => m.Array('i', size), ValidationError, /got/);
    }
    throwsNow(() => m.Array('i', [1, 'a']), ValidationError, /got the string 'a'/);
    throwsNow(() => new mp.Value('i', 0, { lock: 5 } as never), ValidationError, /lock option/);
    throwsNow(() => new m.Lock(5), ValidationError, /takes no argument/);
    throwsNow(() => new m.RLock('x'), ValidationError, /takes no argument/);
    throwsNow(() => new m.Event(true), ValidationError, /takes no argument/);
    throwsNow(() => new mp.Condition(5 as never), ValidationError, /Lock or an RLock/);
    throwsNow(() => new mp.Condition(new mp.Semaphore(1) as never), ValidationError, /got a Semaphore/);
    throwsNow(() => mp.getContext('bogus' as never), ContextError);
    throwsNow(() => mp.getContext('spawn' as never), ContextError, /'process' context/);
    throwsNow(() => mp.setStartMethod('fork' as never), ContextError);
    throwsNow(() => mp.Manager(5 as never), ValidationError);
    throwsNow(() => m.cpuCount(5), ValidationError);
  });
});

describe('timeouts in every form', () => {
  const bad = [Number.NaN, '5', true, [5], { timeout: 'x' }, 5n];

  it('a wait given a timeout in another form rejects with ValidationError (thrown by the Sync forms)', async () => {
    const q = new mp.Queue();
    const lock = new mp.Lock();
    const ev = new mp.Event();
    const cond = new mp.Condition();
    const bar = new mp.Barrier(2);
    const [a, b] = mp.Pipe();
    try {
      for (const timeout of bad) {
        await rejects(() => q.get(timeout as never), ValidationError);
        await rejects(() => q.put(1, timeout as never), ValidationError);
        await rejects(() => lock.acquire(timeout as never), ValidationError);
        throwsNow(() => lock.acquireSync(timeout as never), ValidationError);
        await rejects(() => ev.wait(timeout as never), ValidationError);
        throwsNow(() => ev.waitSync(timeout as never), ValidationError);
        await rejects(() => bar.wait(timeout as never), ValidationError);
        await rejects(() => b.poll(timeout as never), ValidationError);
        await rejects(() => mp.wait([a], timeout as never), ValidationError);
        await cond.acquire();
        await rejects(() => cond.wait(timeout as never), ValidationError);
        cond.release();
      }
      // 0 or less: do not wait, as in Python; null/Infinity: no limit.
      await rejects(() => q.get(-1), QueueEmptyError);
      expect(await lock.acquire(-1)).toBe(true);
      expect(await lock.acquire(-1)).toBe(false);
      lock.release();
      expect(await ev.wait(-1)).toBe(false);
      expect(await b.poll(-1)).toBe(false);
      expect(bar.broken).toBe(false); // refused arguments never reached the barrier
    } finally {
      q.close();
      a.close();
      b.close();
    }
  });
});

describe('lock and barrier misuse', () => {
  it('double releases, unowned RLocks, over-released semaphores and waits without the lock', async () => {
    const lock = new mp.Lock();
    throwsNow(() => lock.release(), LockError, /not held/);
    await lock.acquire();
    lock.release();
    throwsNow(() => lock.release(), LockError);
    const r = new mp.RLock();
    throwsNow(() => r.release(), LockError, /nobody holds/);
    await r.acquire();
    await r.acquire();
    r.release();
    r.release();
    throwsNow(() => r.release(), LockError);
    throwsNow(() => new mp.BoundedSemaphore(1).release(), LockError, /too many times/);
    const sem = new mp.Semaphore(1);
    throwsNow(() => sem.release(-1), ValidationError);
    throwsNow(() => sem.release(2 ** 31), LockError);
    const cond = new mp.Condition();
    await rejects(() => cond.wait(10), LockError);
    await rejects(() => cond.waitFor(() => true), LockError); // before the predicate is asked
    throwsNow(() => cond.notify(), LockError);
    throwsNow(() => cond.notifyAll(), LockError);
    throwsNow(() => cond.release(), LockError);
    await rejects(() => cond.withLock(5 as never), ValidationError);
    await rejects(() => lock.withLock(undefined as never), ValidationError);
    throwsNow(() => (new mp.Event() as Any).set(5), ValidationError, /takes no argument/);
    const bar = new mp.Barrier(2);
    bar.abort();
    await rejects(() => bar.wait(100), BrokenBarrierError, /reset\(\)/);
    throwsNow(() => bar.waitSync(100), BrokenBarrierError);
    bar.reset();
    expect(await Promise.all([bar.wait(1000), bar.wait(1000)])).toEqual([0, 1]);
    await rejects(
      () => new mp.Barrier(1, { action: () => Promise.reject(new RangeError('act')) }).wait(),
      RangeError,
    );
    // A blocking wait nothing could end throws instead of blocking for ever (Python would).
    throwsNow(() => new mp.Event().waitSync(), LockError, /can never end/);
    throwsNow(() => new mp.Barrier(2).waitSync(), BrokenBarrierError);
  });
});

describe('use after close', () => {
  it('a Process: join before start, start twice, close while running, then ClosedError', async () => {
    const p = new mp.Process({ target: tasks.sleep, args: [50] });
    await rejects(() => p.join(), ProcessError, /before start/);
    throwsNow(() => p.sentinel, ProcessError, /before start/);
    p.start();
    throwsNow(() => p.start(), ProcessError, /twice/);
    throwsNow(() => p.close(), ProcessError, /join\(\) or terminate\(\)/);
    await p.join();
    expect(p.exitCode).toBe(0);
    p.close();
    p.close(); // a second close() is a no-op, as in Python
    throwsNow(() => p.start(), ClosedError);
    throwsNow(() => p.isAlive(), ClosedError);
    throwsNow(() => p.exitCode, ClosedError);
    await rejects(() => p.join(), ClosedError);
    throwsNow(() => (mp.currentProcess() as Any).join(), ProcessError, /can only join a child/);
  });

  it('queues, connections and managers', async () => {
    const q = new mp.Queue();
    q.close();
    await rejects(() => q.put(1), ClosedError);
    await rejects(() => q.get(), ClosedError);
    throwsNow(() => q.putNowait(1), ClosedError);
    throwsNow(() => q.qsize(), ClosedError);
    const [a, b] = mp.Pipe();
    a.close();
    throwsNow(() => a.send(1), ClosedError);
    await rejects(() => a.recv(), ClosedError);
    await rejects(() => b.recv(), EOFError);
    b.close();
    const [rx, tx] = mp.Pipe({ duplex: false });
    throwsNow(() => (rx as Any).send(1), ProcessError, /receive-only/);
    await rejects(() => (tx as Any).recv(), ProcessError, /send-only/);
    rx.close();
    tx.close();
    const manager = await mp.Manager.start();
    const d = await manager.dict();
    await manager.shutdown();
    await rejects(() => d.get('a'), ManagerClosedError);
    throwsNow(() => manager.list(), ClosedError);
    await manager.shutdown(); // again: a no-op
  });
});

describe.each(matrix(import.meta.url))('a %s pool given bad and odd input', (context) => {
  const pool = new Pool({ processes: 2, context });
  afterAll(() => pool.terminate());
  const stillWorks = async () => expect(await pool.apply(tasks.add, [2, 3])).toBe(5);

  it('bad tasks, argument lists, iterables and options reject (or throw, for the …Async and imap forms)', async () => {
    for (const task of [(x: number) => x, 'echo', undefined, tasks, 5]) {
      await rejects(() => pool.apply(task as never, [1] as never), ValidationError, /task reference/);
      await rejects(() => pool.map(task as never, [1]), ValidationError);
      throwsNow(() => pool.applyAsync(task as never, [1] as never), ValidationError);
      throwsNow(() => pool.imap(task as never, [1]), ValidationError);
    }
    for (const args of ['x', 5, { 0: 1, length: 1 }]) {
      await rejects(() => pool.apply(tasks.echo, args as never), ValidationError, /args must be an array/);
      throwsNow(() => pool.applyAsync(tasks.echo, args as never), ValidationError);
    }
    expect(await pool.apply(t.count, undefined)).toBe(0); // no args, as Python's args=()
    for (const input of [5, undefined, null, {}, { next: () => ({ done: true }) }]) {
      await rejects(() => pool.map(tasks.echo, input as never), ValidationError, /iterable/);
      throwsNow(() => pool.mapAsync(tasks.echo, input as never), ValidationError);
      throwsNow(() => pool.imap(tasks.echo, input as never), ValidationError);
      throwsNow(() => pool.imapUnordered(tasks.echo, input as never), ValidationError);
    }
    for (const chunksize of [0, -1, 1.5, Number.NaN, '2', Number.POSITIVE_INFINITY]) {
      await rejects(() => pool.map(tasks.echo, [1], { chunksize } as never), ValidationError, /chunksize/);
      throwsNow(() => pool.imap(tasks.echo, [1], { chunksize } as never), ValidationError);
    }
    throwsNow(() => pool.imap(tasks.echo, [1], { inflight: 0 }), ValidationError, /inflight/);
    await rejects(() => pool.map(tasks.echo, [1], 5 as never), ValidationError, /\{ chunksize: 5 \}/);
    await rejects(
      () => pool.map(tasks.echo, [1], { chunkSize: 2 } as never),
      ValidationError,
      /spelt chunksize/,
    );
    await rejects(() => pool.apply(tasks.echo, [1], { callback: () => {} } as never), ValidationError);
    throwsNow(() => pool.applyAsync(tasks.echo, [1], { callback: 5 } as never), ValidationError);
    for (const timeout of [Number.NaN, '5', { ms: 5 }]) {
      await rejects(() => pool.apply(tasks.echo, [1], { timeout } as never), ValidationError, /timeout/);
    }
    await rejects(() => pool.apply(tasks.echo, [1], { signal: {} } as never), ValidationError, /AbortSignal/);
    await rejects(
      () => pool.apply(tasks.echo, [1], { signal: new AbortController() } as never),
      ValidationError,
    );
    await rejects(
      () => pool.starmap(tasks.add, [[1, 2], 3] as never),
      ValidationError,
      /item 1 is not an argument list/,
    );
    throwsNow(() => {
      for (const _ of pool.imap(tasks.echo, [1]) as Any);
    }, TypeError); // `for…of` on an async iterator: the message says to write `for await`
    await stillWorks();
  });

  it('iterables of every kind: strings, Maps, Sets, typed arrays, holes, async and throwing generators', async () => {
    expect(await pool.map(tasks.echo, 'abc')).toEqual(['a', 'b', 'c']);
    expect(await pool.map(tasks.echo, new Map([[1, 2]]))).toEqual([[1, 2]]);
    expect(await pool.map(tasks.echo, new Set([1, 2]))).toEqual([1, 2]);
    expect(await pool.map(tasks.echo, new Int32Array([1, 2]))).toEqual([1, 2]);
    const holes = [1];
    holes[2] = 3; // [1, <empty>, 3]
    expect(await pool.map(tasks.echo, holes)).toEqual([1, undefined, 3]);
    expect(await pool.map(tasks.echo, [])).toEqual([]);
    expect(await pool.starmap(tasks.add, ['ab', new Set([1, 2])] as never)).toEqual(['ab', 3]);
    async function* agen() {
      yield 1;
      yield 2;
    }
    expect(await pool.map(tasks.echo, agen())).toEqual([1, 2]);
    const midway = new RangeError('midway');
    function* throwing() {
      yield 1;
      throw midway;
    }
    async function* asyncThrowing() {
      yield 1;
      throw midway;
    }
    for (const input of [throwing, asyncThrowing]) {
      expect(await rejects(() => pool.map(tasks.echo, input()), RangeError)).toBe(midway); // not wrapped
      const seen: unknown[] = [];
      const error = await (async () => {
        for await (const v of pool.imap(tasks.echo, input(), { chunksize: 1 })) seen.push(v);
      })().catch((e) => e);
      expect([seen, error]).toEqual([[1], midway]);
    }
    let read = 0;
    function* endless() {
      for (;;) yield read++;
    }
    let n = 0;
    for await (const _ of pool.imap(tasks.echo, endless(), { chunksize: 1, inflight: 2 }))
      if (++n === 3) break;
    expect(read).toBeLessThan(10); // leaving the loop stopped reading
    const consumer = new RangeError('consumer');
    const thrown = await (async () => {
      for await (const _ of pool.imapUnordered(tasks.sleep, [1, 2, 3])) throw consumer;
    })().catch((e) => e);
    expect(thrown).toBe(consumer);
    await stillWorks();
  });

  it('arguments of every kind arrive as structured clone gives them; unsendable ones are named', async () => {
    const cyclic: Any = { a: 1 };
    cyclic.self = cyclic;
    class Private {
      #hidden = 1;
      shown = 2;
      get hidden() {
        return this.#hidden;
      }
    }
    const back = (await pool.apply(tasks.echo, [
      [
        cyclic,
        2n ** 70n,
        new Date(0),
        /a+/gi,
        new Map([[1, { b: 2 }]]),
        new Set([1]),
        new Uint8Array([1, 2]),
      ],
    ])) as Any[];
    expect(back[0].self).toBe(back[0]);
    expect(back.slice(1)).toEqual([
      2n ** 70n,
      new Date(0),
      /a+/gi,
      new Map([[1, { b: 2 }]]),
      new Set([1]),
      new Uint8Array([1, 2]),
    ]);
    expect(await pool.apply(tasks.kind, [-0])).toMatchObject({ negativeZero: true });
    expect(await pool.apply(tasks.echo, [Number.NaN])).toBeNaN();
    const holes = [1];
    holes[2] = 3;
    const sparse = (await pool.apply(tasks.echo, [holes])) as number[];
    expect([sparse.length, 1 in sparse, sparse[2]]).toEqual([3, false, 3]); // the hole kept
    expect(await pool.apply(tasks.echo, [new Private()])).toEqual({ shown: 2 }); // as structuredClone
    expect(await pool.apply(t.count, [undefined, undefined])).toBe(2);
    expect(((await pool.apply(tasks.echo, ['x'.repeat(4_000_000)])) as string).length).toBe(4_000_000);
    const detached = new ArrayBuffer(8);
    structuredClone(detached, { transfer: [detached] });
    for (const [value, path] of [
      [() => 1, 'args[0]'],
      [{ onDone() {} }, 'args[0].onDone'],
      [Symbol('s'), 'args[0]'],
      [new WeakMap(), 'args[0]'],
      [Promise.resolve(1), 'args[0]'],
      [new WeakRef({}), 'args[0]'],
      [detached, 'args[0]'],
      [[1, [2, () => 3]], 'args[0][1][1]'],
      [mp.getContext('thread'), 'args[0]'],
      [new Pool({ processes: 1 }), 'args[0]'],
    ] as const) {
      const error = await rejects(() => pool.apply(tasks.echo, [value]), SerializationError);
      expect(error.path ?? error.message).toContain(path);
      if (value instanceof Pool) await value.terminate();
    }
    const mapped = await rejects(() => pool.map(tasks.echo, [1, Symbol('x'), 3]), SerializationError);
    expect(mapped.message).toMatch(/items\[1\]/);
    await stillWorks();
  });

  it('task functions of every shape run; a generator or a function as the result is refused', async () => {
    expect(await pool.apply(tasks.closure, [1])).toBe(11);
    expect(await pool.apply(tasks.bound, [])).toBe('bound');
    expect(await pool.apply(tasks.method, [1])).toBe(2);
    expect(await pool.apply(tasks.staticMethod, [2])).toBe(4);
    expect(await pool.apply(tasks.asyncFn, [3])).toBe(9);
    await rejects(() => pool.apply(tasks.generator, []), SerializationError, /Generator/);
    await rejects(() => pool.apply(tasks.throwsTypeError, []), TypeError, /bad type/);
    const crashed = await rejects(() => pool.apply(tasks.exit, [3]), WorkerCrashedError);
    expect(crashed.exitCode).toBe(3);
    await rejects(() => pool.apply(missingModule.gone, []), ProcessError, /Cannot import the task module/);
    await rejects(() => pool.apply(missingTask.absent, []), ProcessError, /is not defined by/);
    await stillWorks();
  });

  it('signals, timeouts and callbacks', async () => {
    const aborted = new AbortController();
    aborted.abort(new RangeError('why'));
    for (const call of [
      () => pool.apply(tasks.echo, [1], { signal: aborted.signal }),
      () => pool.map(tasks.echo, [1], { signal: aborted.signal }),
      () => pool.applyAsync(tasks.echo, [1], { signal: aborted.signal }).get(),
    ]) {
      const error = await rejects(call, Error);
      expect([error.name, error.cause?.message]).toEqual(['AbortError', 'why']);
    }
    await rejects(() => pool.apply(tasks.sleep, [2000], { timeout: -1 }), TimeoutError);
    await rejects(() => pool.apply(tasks.sleep, [2000], { timeout: 50 }), TimeoutError);
    expect(await pool.apply(tasks.sleep, [5], { timeout: Number.POSITIVE_INFINITY })).toBe(5);
    const r = pool.applyAsync(tasks.echo, [1], {
      callback: () => {
        throw new RangeError('callback');
      },
    });
    await rejects(() => r.get(5000), RangeError, /callback/);
    const slow = pool.applyAsync(tasks.sleep, [200]);
    throwsNow(() => slow.successful(), ProcessError, /not ready/);
    await rejects(() => slow.get(Number.NaN), ValidationError);
    await rejects(() => slow.get(-1), TimeoutError);
    expect(await slow.get()).toBe(200);
    await stillWorks();
  });

  it('after close() and terminate(), every submitting call fails with PoolClosedError', async () => {
    const p = new Pool({ processes: 1, context });
    await rejects(() => p.join(), ProcessError, /close\(\) or terminate\(\)/);
    const running = p.map(tasks.sleep, [50, 50]);
    p.close();
    p.close();
    await rejects(() => p.apply(tasks.echo, [1]), PoolClosedError);
    await rejects(() => p.map(tasks.echo, [1]), PoolClosedError);
    await rejects(() => p.starmap(tasks.add, [[1, 2]]), PoolClosedError);
    throwsNow(() => p.applyAsync(tasks.echo, [1]), PoolClosedError);
    throwsNow(() => p.mapAsync(tasks.echo, [1]), PoolClosedError);
    throwsNow(() => p.starmapAsync(tasks.add, [[1, 2]]), PoolClosedError);
    throwsNow(() => p.imap(tasks.echo, [1]), PoolClosedError);
    throwsNow(() => p.imapUnordered(tasks.echo, [1]), PoolClosedError);
    expect(await running).toEqual([50, 50]); // work submitted before close() completes
    await p.join();
    await p.join();
    const q = new Pool({ processes: 1, context });
    const pending = [q.apply(tasks.sleep, [5000]), q.applyAsync(tasks.sleep, [5000]).get()];
    await q.terminate();
    for (const call of pending) await rejects(() => call, PoolClosedError);
    await rejects(() => q.apply(tasks.echo, [1]), PoolClosedError, /terminated/);
    await q.terminate();
    await q.join();
  });
});

describe.each(matrix(import.meta.url))('a %s Process given bad and odd input', (context) => {
  const started: Any[] = [];
  afterEach(async () => {
    for (const p of started.splice(0)) if (p.isAlive()) await p.terminate();
  });

  it('an unsendable argument throws SerializationError from start(), naming it; the Process can start no more', () => {
    for (const [value, path] of [
      [() => 1, 'args[0]'],
      [{ a: Symbol('s') }, 'args[0].a'],
      [new WeakMap(), 'args[0]'],
      [mp, 'args[0]'],
    ] as const) {
      const p = new mp.Process({ target: tasks.echo, args: [value], context });
      const error = (() => {
        try {
          p.start();
        } catch (e) {
          return e as Any;
        }
      })();
      expect(error).toBeInstanceOf(SerializationError);
      expect(error.message).toContain(path);
      expect(p.isAlive()).toBe(false);
    }
  });

  it('a target in a missing module, or one its module does not define, ends with exitCode 1', async () => {
    const p = new mp.Process({ target: missingTask.absent, context });
    started.push(p);
    p.start();
    await p.join(10_000);
    expect(p.exitCode).toBe(1);
  });
});
