// Corners of CPython's Lib/test/_test_multiprocessing.py that the earlier ports (cpython-port-29,
// -39-*, -43) cover by name but not in every branch: a Process before start() and after its end
// (kill and terminate twice, join with a timeout, exit codes past 255), what timeouts of zero and
// below do (Python's SemLock and poll treat them as "do not wait"), _TestCondition's invariant that
// a waiter that timed out leaves no wake-up behind, _TestBarrier's broken states, the bounds of
// _TestValue/_TestArray, a closed Connection and queue, and AsyncResult before it is ready. Each
// case is named after the Python method it extends; where the contract differs from Python, the
// case asserts the documented behaviour and says so.
import { inspect } from 'node:util';
import mp, {
  activeChildren,
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  BrokenPipeError,
  ClosedError,
  Condition,
  EOFError,
  Event,
  JoinableQueue,
  Lock,
  LockError,
  Manager,
  Pipe,
  PoolClosedError,
  ProcessError,
  QueueEmptyError,
  QueueFullError,
  RLock,
  Semaphore,
  SharedArray,
  SimpleQueue,
  type SyncManager,
  TimeoutError,
  ValidationError,
  Value,
  wait,
} from '@multiproc/multiproc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { thrown } from '../../../test-support/thrown.ts';
import {
  type Context,
  poolsEndedAfterEach,
  processesKilledAfterEach,
  queuesClosedAfterEach,
  range,
} from './cpython-kit.ts';
import { tasks } from './fixtures/cpython-port-45-tasks.mjs';

/** Both contexts in the full tier; in CI, the one test-support/matrix.ts picks for this file. */
const CONTEXTS = matrix(import.meta.url) as readonly Context[];

const pool = poolsEndedAfterEach();
const { queue, closeAfterTest } = queuesClosedAfterEach();
const { start, killAfterTest } = processesKilledAfterEach();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What `fn` resolves with and how long it took, in ms. */
async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

/** Well under any timeout a case waits out: "at once", with room for a loaded CI machine. */
const AT_ONCE_MS = 1_000;

describe.each(CONTEXTS)('_TestProcess, %s context', (context) => {
  it('test_kill: kill() twice and terminate() after the end leave exitCode -9; it leaves activeChildren', async () => {
    const p = start(context, tasks.nap, [60_000]);
    await p.join(50);
    expect(p.isAlive()).toBe(true);
    expect(activeChildren()).toContain(p);
    p.kill();
    p.kill(); // Python: a second kill() of a dying process is harmless
    await p.join(10_000);
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBe(-9);
    expect(activeChildren()).not.toContain(p);
    p.kill();
    await p.terminate();
    expect(p.exitCode).toBe(-9);
  });

  it('test_terminate: two terminate() calls at once both resolve once it ended with -15', async () => {
    const p = start(context, tasks.nap, [60_000]);
    await p.join(50);
    await Promise.all([p.terminate(), p.terminate()]);
    await p.join(10_000);
    expect([p.isAlive(), p.exitCode]).toEqual([false, -15]);
  });

  it('test_terminate: terminate() and kill() of a process that ended keep its exitCode 0', async () => {
    const p = start(context, tasks.echo, [1]);
    await p.join(10_000);
    await p.terminate();
    p.kill();
    expect(p.exitCode).toBe(0);
  });

  it('test_process: before start() it is not alive and has no exitCode or pid; join() and sentinel throw', async () => {
    const p = new mp.Process({ target: tasks.nap, args: [10], context });
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBeNull();
    expect(p.pid ?? null).toBeNull(); // Python: None
    // Python: AssertionError ('can only join a started process') and ValueError ('process not started')
    expect(await thrown(() => p.join())).toBeInstanceOf(ProcessError);
    expect(await thrown(() => p.sentinel)).toBeInstanceOf(ProcessError);
  });

  it('test_process: join(ms) resolves with nothing while it runs (exitCode still null), then once it ended', async () => {
    const p = start(context, tasks.nap, [300]);
    expect(await p.join(10)).toBeUndefined();
    expect([p.exitCode, p.isAlive()]).toEqual([null, true]);
    expect(await p.join(10_000)).toBeUndefined();
    expect([p.exitCode, p.isAlive()]).toEqual([0, false]);
    expect(await p.join(0)).toBeUndefined(); // joining again is harmless
  });

  it('test_active_children: a process that ended leaves activeChildren() before anyone joins it', async () => {
    const p = start(context, tasks.echo, [1]);
    const deadline = Date.now() + 10_000;
    while (p.isAlive() && Date.now() < deadline) await sleep(10);
    expect(activeChildren()).not.toContain(p);
    expect(p.exitCode).toBe(0);
  });

  it('test_daemon_argument: daemon can only be set before start() (Python: AssertionError)', async () => {
    const p = new mp.Process({ target: tasks.nap, args: [10], context });
    p.daemon = true;
    expect(p.daemon).toBe(true);
    killAfterTest(p);
    p.start();
    expect(() => {
      p.daemon = false;
    }).toThrow(ProcessError);
    expect(p.daemon).toBe(true);
    await p.join(10_000);
  });

  it('test_process: name can be set before and after start(), as in Python; a name that is not a string is refused', async () => {
    const q = queue<{ name: string }>();
    const p = new mp.Process({ target: tasks.whoAmI, args: [q], context });
    p.name = 'SomeProcess';
    killAfterTest(p);
    p.start();
    expect((await q.get(10_000)).name).toBe('SomeProcess');
    p.name = 'Renamed'; // Python: only this side's object is renamed
    expect(p.name).toBe('Renamed');
    await p.join(10_000);
    expect(() => new mp.Process({ target: tasks.nap, args: [10], name: 123 as never, context })).toThrow(
      ValidationError,
    );
  });

  it('test_current / test_parent_process_attributes: in the worker ident is its pid and the parent is MainProcess', async () => {
    const q = queue<{ pid: number; ident: number; parent: { pid: number; name: string } | null }>();
    const p = start(context, tasks.whoAmI, [q]);
    const seen = await q.get(10_000);
    await p.join(10_000);
    expect(seen.ident).toBe(seen.pid);
    expect(seen.pid).toBe(p.pid);
    expect(seen.parent).toEqual({ pid: process.pid, name: 'MainProcess' });
  });

  it('test_sys_exit: exit codes past a byte wrap as the OS wraps them; process.exitCode set by the target counts', {
    timeout: 30_000,
  }, async () => {
    const codes: (number | null)[] = [];
    for (const [task, args] of [
      [tasks.exit, [255]],
      [tasks.exit, [256]],
      [tasks.exit, [-1]],
      [tasks.setExitCode, [5]],
    ] as const) {
      const p = start(context, task, [...args]);
      await p.join(10_000);
      codes.push(p.exitCode);
    }
    // Python: sys.exit(256) gives 0 and sys.exit(-1) gives 255 on POSIX
    expect(codes).toEqual([255, 0, 255, 5]);
  });

  it('test_close: close() of a process never started is allowed; then every use throws ClosedError', async () => {
    const p = new mp.Process({ target: tasks.nap, args: [10], context });
    p.close();
    p.close();
    expect(() => p.start()).toThrow(ClosedError);
    expect(() => p.isAlive()).toThrow(ClosedError);
  });

  it('test_sentinel: wait() gives [] for it while it runs, and only it once it ended', async () => {
    const p = start(context, tasks.nap, [200]);
    const [a, b] = Pipe();
    try {
      expect(await wait([p.sentinel, a], 0)).toEqual([]);
      expect(await wait([p.sentinel, a], 10_000)).toEqual([p.sentinel]);
      await p.join(10_000);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('_TestSemaphore / _TestLock / _TestEvent, in this thread', () => {
  let manager: SyncManager;
  beforeAll(() => {
    manager = Manager();
  });
  afterAll(() => manager.shutdown());

  it('_TestSemaphore: a negative or fractional value is refused with ValidationError (Python: ValueError)', () => {
    for (const make of [(n: number) => new Semaphore(n), (n: number) => new BoundedSemaphore(n)]) {
      expect(() => make(-1)).toThrow(ValidationError);
      expect(() => make(1.5)).toThrow(ValidationError);
    }
    expect(() => manager.Semaphore(-1)).toThrow(ValidationError);
  });

  it('_TestSemaphore.test_timeout: a negative timeout does not wait (Python’s SemLock takes it as 0)', async () => {
    for (const sem of [new Semaphore(0), manager.Semaphore(0)]) {
      const [got, ms] = await timed(() => sem.acquire({ timeout: -1 }));
      expect(got).toBe(false);
      expect(ms).toBeLessThan(AT_ONCE_MS);
    }
  });

  it('_TestLock.test_lock: a held Lock refuses a negative timeout at once, async and sync', async () => {
    const lock = new Lock();
    await lock.acquire();
    const [got, ms] = await timed(() => lock.acquire({ timeout: -1 }));
    expect(got).toBe(false);
    expect(ms).toBeLessThan(AT_ONCE_MS);
    expect(lock.acquireSync({ timeout: -1 })).toBe(false);
    lock.release();
    expect(() => lock.release()).toThrow(LockError);
  });

  it('_TestEvent.test_event: wait(-1) gives false at once; wait(0) follows set() and clear()', async () => {
    for (const ev of [new Event(), manager.Event()]) {
      const [got, ms] = await timed(() => ev.wait(-1));
      expect(got).toBe(false);
      expect(ms).toBeLessThan(AT_ONCE_MS);
      await ev.set();
      expect(await ev.wait(0)).toBe(true);
      expect(await ev.wait(-1)).toBe(true);
      await ev.clear();
      expect(await ev.wait(0)).toBe(false);
    }
    const ev = new Event();
    expect(ev.waitSync(-1)).toBe(false);
    ev.set();
    expect(ev.waitSync(0)).toBe(true);
  });

  it('_TestEvent.test_repr: console.log() shows whether it is set; a proxy says what it is', async () => {
    const ev = new Event();
    expect(inspect(ev)).toMatch(/^Event .*false/);
    ev.set();
    expect(inspect(ev)).toMatch(/^Event .*true/);
    ev.clear();
    expect(inspect(ev)).toMatch(/^Event .*false/);
    expect(inspect(manager.Event())).toMatch(/^EventProxy .*Event/);
  });
});

describe('_TestCondition, in this thread', () => {
  let manager: SyncManager;
  beforeAll(() => {
    manager = Manager();
  });
  afterAll(() => manager.shutdown());

  // Python's manager Condition and its shared one are one object per waiter's thread; here several
  // async functions of one thread wait, so each form gets a Lock (an RLock belongs to the thread).
  const FORMS = [
    { form: 'shared', make: () => new Condition(new Lock()) },
    { form: 'manager', make: () => manager.Condition(manager.Lock()) },
  ] as const;
  type Cond = ReturnType<(typeof FORMS)[number]['make']>;

  /** Python's `_TestCondition.f`: acquire, wait(ms), release; resolves with what wait gave. */
  async function waiter(cond: Cond, ms: number): Promise<boolean> {
    await cond.acquire();
    try {
      return await cond.wait(ms);
    } finally {
      await cond.release();
    }
  }

  /** acquire, `fn`, release. */
  async function holding(cond: Cond, fn: () => unknown): Promise<void> {
    await cond.acquire();
    try {
      await fn();
    } finally {
      await cond.release();
    }
  }

  describe.each(FORMS)('$form form', ({ make }) => {
    it('test_notify_all: waiters that timed out leave no wake-up behind (check_invariant)', async () => {
      const cond = make();
      expect(await Promise.all(range(3).map(() => waiter(cond, 30)))).toEqual([false, false, false]);
      await holding(cond, async () => {
        await cond.notify();
        await cond.notifyAll();
      });
      // a notify with nobody waiting is lost, as in Python: the next wait times out
      expect(await waiter(cond, 150)).toBe(false);
    });

    it('test_notify_n: notify(2) of four waiters wakes two; notify(3) wakes the two left', async () => {
      const cond = make();
      let woken = 0;
      const waiters = range(4).map(async () => {
        const got = await waiter(cond, 10_000);
        woken += 1;
        return got;
      });
      await sleep(100); // each took the lock and waits (a wait releases it)
      await holding(cond, () => cond.notify(2));
      await sleep(150);
      expect(woken).toBe(2);
      await holding(cond, () => cond.notify(3));
      expect(await Promise.all(waiters)).toEqual([true, true, true, true]);
    });

    it('test_notify: a waiter that timed out is not counted; notify() wakes the one still waiting', async () => {
      const cond = make();
      const early = waiter(cond, 20);
      const late = waiter(cond, 10_000);
      expect(await early).toBe(false);
      await holding(cond, () => cond.notify());
      const [got, ms] = await timed(() => late);
      expect(got).toBe(true);
      expect(ms).toBeLessThan(5_000);
    });

    it('test_waitfor / test_waitfor_timeout: the predicate’s last value, also falsy; a true one returns without waiting', async () => {
      const cond = make();
      await holding(cond, async () => {
        expect(await cond.waitFor(() => 0, 20)).toBe(0); // Python: wait_for returns the predicate's result
        expect(await cond.waitFor(() => 'ready', 0)).toBe('ready');
        const [got, ms] = await timed(() => cond.waitFor(() => null, -1));
        expect(got).toBeNull();
        expect(ms).toBeLessThan(AT_ONCE_MS);
        expect(await cond.wait(-1)).toBe(false);
      });
    });

    it('notify(n) with n negative or fractional is refused with ValidationError (documented; Python wakes none)', async () => {
      const cond = make();
      await holding(cond, async () => {
        expect(await thrown(() => cond.notify(-1))).toBeInstanceOf(ValidationError);
        expect(await thrown(() => cond.notify(1.5))).toBeInstanceOf(ValidationError);
        await cond.notify(0);
      });
    });
  });

  it('test_notify over an RLock held twice: wait() lets a worker take it, and gives both levels back', async () => {
    const rlock = new RLock();
    const cond = new Condition(rlock);
    await cond.acquire();
    await cond.acquire();
    const p = start('thread', tasks.notifyOnce, [cond]);
    expect(await cond.wait(10_000)).toBe(true);
    cond.release();
    expect(rlock.locked()).toBe(true); // Python: the recursion level is restored
    cond.release();
    expect(() => cond.release()).toThrow(LockError);
    await p.join(10_000);
    expect(p.exitCode).toBe(0);
  });
});

describe('_TestBarrier, in this thread', () => {
  let manager: SyncManager;
  beforeAll(() => {
    manager = Manager();
  });
  afterAll(() => manager.shutdown());

  it('parties below 1 or fractional are refused with ValidationError (Python 3.13: ValueError)', () => {
    for (const n of [0, -1, 1.5]) expect(() => new Barrier(n)).toThrow(ValidationError);
  });

  it('a fresh barrier: parties, nWaiting 0, not broken; in both forms', async () => {
    const b = new Barrier(3);
    expect([b.parties, b.nWaiting, b.broken]).toEqual([3, 0, false]);
    const proxy = manager.Barrier(3);
    expect(await proxy.state()).toEqual({ parties: 3, nWaiting: 0, broken: false });
  });

  it('test_abort: a wait on an aborted barrier rejects at once; reset() makes it usable again', async () => {
    const b = new Barrier(1);
    b.abort();
    expect(b.broken).toBe(true);
    const [err, ms] = await timed(() => thrown(() => b.wait(10_000)));
    expect(err).toBeInstanceOf(BrokenBarrierError);
    expect(ms).toBeLessThan(AT_ONCE_MS);
    b.reset();
    expect(b.broken).toBe(false);
    expect(await b.wait(1_000)).toBe(0);
  });

  it('test_timeout: wait(-1) does not wait; it breaks the barrier, as a timeout does', async () => {
    const b = new Barrier(2);
    const [err, ms] = await timed(() => thrown(() => b.wait(-1)));
    expect(err).toBeInstanceOf(BrokenBarrierError);
    expect(ms).toBeLessThan(AT_ONCE_MS);
    expect(b.broken).toBe(true);
  });

  it('test_action: an action that throws rejects its party with that error, the others with BrokenBarrierError', async () => {
    const b = new Barrier(2, {
      action: () => {
        throw new RangeError('action');
      },
    });
    const settled = await Promise.allSettled([b.wait(10_000), b.wait(10_000)]);
    const reasons = settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).name : 'passed'));
    expect(reasons.sort()).toEqual(['BrokenBarrierError', 'RangeError']);
    expect(b.broken).toBe(true);
  });
});

describe('_TestValue / _TestArray bounds', () => {
  it('_TestValue.test_value: what does not fit the typecode is refused with ValidationError', () => {
    expect(() => new Value('i', 1.5)).toThrow(ValidationError); // Python: TypeError
    expect(() => new Value('i', Number.NaN)).toThrow(ValidationError);
    expect(() => new Value('B', -1)).toThrow(ValidationError);
    expect(() => new Value('q', 1 as never)).toThrow(ValidationError); // q holds a bigint
    expect(() => new Value('f', 1e40)).toThrow(ValidationError);
    const v = new Value('i', 0);
    expect(() => {
      v.value = 2 ** 31;
    }).toThrow(ValidationError);
    expect(() => {
      v.value = '3' as never;
    }).toThrow(ValidationError);
    expect(v.value).toBe(0);
    expect(new Value('d', Number.NaN).value).toBeNaN();
    expect(new Value('i').value).toBe(0);
  });

  it('_TestArray.test_array: slice() bounds as Python’s arr[a:b]: negative, crossed and past the ends', () => {
    const arr = new SharedArray('i', [1, 2, 3, 4, 5]);
    expect(arr.slice(-3)).toEqual([3, 4, 5]);
    expect(arr.slice(1, -1)).toEqual([2, 3, 4]);
    expect(arr.slice(3, 1)).toEqual([]);
    expect(arr.slice(-100, 100)).toEqual([1, 2, 3, 4, 5]);
    expect([...arr]).toEqual([1, 2, 3, 4, 5]);
  });

  it('_TestArray.test_array: an index out of range or not an integer, and a negative size, are refused', () => {
    const arr = new SharedArray('i', 5);
    expect(() => arr.get(5)).toThrow(ValidationError); // Python: IndexError
    expect(() => arr.get(-6)).toThrow(ValidationError);
    expect(() => arr.get(1.5)).toThrow(ValidationError); // Python: TypeError
    expect(arr.get(-5)).toBe(0);
    expect(() => new SharedArray('i', -1)).toThrow(ValidationError);
    expect(new SharedArray('i', 0).length).toBe(0);
  });
});

describe('_TestConnection / _TestPoll / TestWait, in this thread', () => {
  it('_TestPoll: poll(0), poll(-1) and poll() answer at once; true once something is there', async () => {
    const [a, b] = Pipe();
    try {
      const [got, ms] = await timed(async () => [await a.poll(0), await a.poll(-1), await a.poll()]);
      expect(got).toEqual([false, false, false]);
      expect(ms).toBeLessThan(AT_ONCE_MS);
      b.send(1);
      expect(await a.poll(10_000)).toBe(true);
      expect(await a.poll(-1)).toBe(true);
      expect(await a.recv()).toBe(1);
    } finally {
      a.close();
      b.close();
    }
  });

  it('test_connection: after close() poll, recv and send throw ClosedError (Python: OSError); close() again is harmless', async () => {
    const [a, b] = Pipe();
    a.close();
    a.close();
    expect(a.closed).toBe(true);
    expect(await thrown(() => a.poll(0))).toBeInstanceOf(ClosedError);
    expect(await thrown(() => a.recv())).toBeInstanceOf(ClosedError);
    expect(await thrown(() => a.send(1))).toBeInstanceOf(ClosedError);
    b.close();
  });

  it('test_connection: send() to a peer closed everywhere throws BrokenPipeError, as Python’s', async () => {
    const [a, b] = Pipe();
    b.close();
    expect(await thrown(() => a.send(1))).toBeInstanceOf(BrokenPipeError);
    a.close();
  });

  it('test_connection: what was sent before the peer closed arrives, then EOFError; poll() is true at once', async () => {
    const [a, b] = Pipe();
    b.send(1);
    b.send(2);
    b.close();
    const [ready, ms] = await timed(() => a.poll(10_000));
    expect(ready).toBe(true);
    expect(ms).toBeLessThan(AT_ONCE_MS);
    expect([await a.recv(), await a.recv()]).toEqual([1, 2]);
    expect(await thrown(() => a.recv())).toBeInstanceOf(EOFError);
    expect(await a.poll(0)).toBe(true); // Python: poll() is true at end of file
    a.close();
  });

  it('test_duplex_false: readable and writable say which end is which', () => {
    const [r, w] = Pipe({ duplex: false });
    expect([r.readable, r.writable, w.readable, w.writable]).toEqual([true, false, false, true]);
    r.close();
    w.close();
  });

  it('TestWait.test_wait_timeout / test_neg_timeout: [] after the timeout, at once for -1; an end whose peer closed is ready', async () => {
    const [a, b] = Pipe();
    try {
      const [none, ms] = await timed(() => wait([], 20));
      expect(none).toEqual([]);
      expect(ms).toBeGreaterThanOrEqual(15);
      const [neg, negMs] = await timed(() => wait([a], -1));
      expect(neg).toEqual([]);
      expect(negMs).toBeLessThan(AT_ONCE_MS);
      b.close();
      expect(await wait([a], 10_000)).toEqual([a]);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('_TestQueue / TestSimpleQueue, in this thread', () => {
  it('test_timeout: get() with timeout 0 or -1 and put() with -1 on a full queue do not wait', async () => {
    const q = queue<number>({ maxsize: 1 });
    for (const form of [{ timeout: 0 }, { timeout: -1 }, -1]) {
      const [err, ms] = await timed(() => thrown(() => q.get(form as never)));
      expect(err).toBeInstanceOf(QueueEmptyError);
      expect(ms).toBeLessThan(AT_ONCE_MS);
    }
    await q.put(1);
    const [err, ms] = await timed(() => thrown(() => q.put(2, { timeout: -1 })));
    expect(err).toBeInstanceOf(QueueFullError);
    expect(ms).toBeLessThan(AT_ONCE_MS);
  });

  it('test_put: maxsize 0 or below is unbounded, as Python’s; a fractional maxsize is refused', async () => {
    for (const maxsize of [0, -1]) {
      const q = queue<number>({ maxsize });
      for (const i of range(5)) await q.put(i, { timeout: 100 });
      expect([q.qsize(), q.full()]).toEqual([5, false]);
    }
    expect(() => queue({ maxsize: 1.5 })).toThrow(ValidationError);
  });

  it('test_task_done: one taskDone() more than items put is refused (Python: ValueError); join() of an empty queue returns', async () => {
    const q = new JoinableQueue<number>();
    closeAfterTest(q);
    const [, ms] = await timed(() => q.join());
    expect(ms).toBeLessThan(AT_ONCE_MS);
    await q.put(1);
    expect(await q.get(1_000)).toBe(1);
    q.taskDone();
    expect(() => q.taskDone()).toThrow(ValidationError);
    await q.join();
  });

  it('test_closed_queue_put_get_exceptions: qsize() and full() of a closed Queue throw ClosedError (contract; Python answers)', async () => {
    const q = queue<number>({ maxsize: 1 });
    await q.put(1);
    q.close();
    expect(() => q.qsize()).toThrow(ClosedError);
    expect(() => q.full()).toThrow(ClosedError);
    q.close(); // Python: close() twice is harmless
  });

  it('TestSimpleQueue.test_closed: get() and put() after close() throw ClosedError (Python: OSError)', async () => {
    const q = new SimpleQueue<number>();
    q.close();
    expect(await thrown(() => q.get())).toBeInstanceOf(ClosedError);
    expect(await thrown(() => q.put(1))).toBeInstanceOf(ClosedError);
  });

  it('TestSimpleQueue.test_empty: empty() follows put() and get() in this thread', async () => {
    const q = new SimpleQueue<number>();
    closeAfterTest(q);
    expect(q.empty()).toBe(true);
    await q.put(1);
    expect(q.empty()).toBe(false);
    expect(await q.get()).toBe(1);
    expect(q.empty()).toBe(true);
  });
});

describe.each(CONTEXTS)('_TestPool, %s context', (context) => {
  it('test_async: before it is ready successful() throws (Python: ValueError), get(0) rejects, wait(0) gives false', async () => {
    const p = pool({ processes: 1, context });
    const r = p.applyAsync(tasks.nap, [300]);
    expect(() => r.successful()).toThrow(ProcessError);
    expect(await thrown(() => r.get(0))).toBeInstanceOf(TimeoutError);
    expect(await r.wait(0)).toBe(false);
    expect(r.ready()).toBe(false);
    expect(await r.get(10_000)).toBeUndefined();
    expect([r.ready(), r.successful()]).toEqual([true, true]);
  });

  it('test_async_error_callback: a failed result rejects every get() with the same error; successful() is false', async () => {
    const p = pool({ processes: 1, context });
    const r = p.applyAsync(tasks.fail, []);
    const first = await thrown(() => r.get(10_000));
    expect(first).toBeInstanceOf(RangeError);
    expect(await thrown(() => r.get(10_000))).toBe(first);
    expect([r.ready(), r.successful()]).toEqual([true, false]);
    expect(await p.apply(tasks.echo, [7])).toBe(7);
  });

  it('test_imap: next(ms) that times out loses nothing: the next next() gives that item', async () => {
    const p = pool({ processes: 1, context });
    const it = p.imap(tasks.echo, [1, 2], { chunksize: 1 });
    const slow = p.imap(tasks.nap, [300, 1]);
    expect(await thrown(() => slow.next(10))).toBeInstanceOf(TimeoutError);
    expect(await slow.next(10_000)).toEqual({ value: undefined, done: false });
    expect(await slow.next(10_000)).toEqual({ value: undefined, done: false });
    expect((await slow.next(10_000)).done).toBe(true);
    const values: unknown[] = [];
    for await (const v of it) values.push(v);
    expect(values).toEqual([1, 2]);
  });

  it('test_terminate / test_close: close() and join() twice, terminate() after them; join() after terminate() alone', async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(tasks.echo, [1])).toBe(1);
    p.close();
    p.close();
    await p.join();
    await p.join();
    await p.terminate();
    await p.terminate();
    const q = pool({ processes: 1, context });
    await q.terminate();
    await q.join();
    expect(await thrown(() => q.map(tasks.echo, []))).toBeInstanceOf(PoolClosedError);
  });

  it('test_pool_worker_lifetime: with maxTasksPerChild 1 each call runs in a worker of its own', async () => {
    const p = pool({ processes: 2, context, maxTasksPerChild: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) ids.push(await p.apply(tasks.workerId, []));
    expect(new Set(ids).size).toBe(4);
  });

  it('test_apply: args that are not an array are refused with ValidationError, by rejecting', async () => {
    const p = pool({ processes: 1, context });
    const call = p.apply(tasks.echo, 5 as never);
    expect(call).toBeInstanceOf(Promise);
    expect(await thrown(() => call)).toBeInstanceOf(ValidationError);
  });
});
