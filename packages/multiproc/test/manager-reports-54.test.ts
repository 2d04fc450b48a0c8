// Public reports about Python's Manager and its proxies (python/cpython issues, the issue trackers
// of projects that use them, and the question-and-answer pages where users hit them) that the
// earlier report files and CPython ports do not cover, each turned into the same scenario against
// this library's Manager, in both contexts where a worker takes part. Each case names its report,
// says in a line what went wrong there, and asserts what our docs (apps/docs/guide/sharing-state.md)
// say, or, where they are silent, what Python's fixed behaviour is. Beside them, the probes the
// reports suggest: timeouts of every waiting proxy, a holder killed mid-call, a served object's
// method that throws, `await using`, and a manager that ends while calls wait. Full tier only
// (`MULTIPROC_TESTS=full`, see vitest.config.ts).
//
// Reports covered here:
// - sybrenjansen/mpire#104: a manager list shared with pool tasks that append to it.
// - prickly-pythons/prickly-pythons#14, python/typeshed#4204: a Namespace shared with Pool.map tasks, any name.
// - "How to use a multiprocessing.Manager()" (newbe.dev / w3toppers answer): which edits of a
//   Namespace, a list and a dict made in a child propagate, and which only change a copy.
// - pytroubles.com "mutation vs rebinding in shared lists": replacing a managed list's contents in place.
// - runebook.dev, multiprocessing.managers.Namespace: appending to a list held by a Namespace is lost.
// - giampaolo/psutil#1523 (and #1524): a Namespace attribute set to an unpicklable object.
// - uqfoundation/multiprocess#37: a manager Lock passed inside a tuple to Pool.map; the manager itself.
// - joblib/joblib#1467, ztgrace/changeme#14: get(block=False) on an empty manager Queue in workers.
// - python/cpython#79967 (bpo-35786): a manager Value has no get_lock(); guard it with a manager Lock.
// - python/cpython#78279 (bpo-34098): a served method's exception lost its traceback.
// - uqfoundation/multiprocess#96: a proxy of one served type given to another's factory.
// - python/cpython#103136: a proxy stored in a list and deleted from it was never freed.
// - python/cpython#119937 (first point), R-a-dio/Hanyuu-sama#53: a proxy in flight whose sender
//   dropped its own was freed before it was received (KeyError in the server).
// - python/cpython#93563: a Manager made inside a child, polled with get(timeout), broke at its end.
// - vlivashkin/GPUParallel#6, runebook.dev BaseManager.shutdown: a manager nobody shut down kept
//   the program and its children alive.
// - dPys/PyNets#364: an unguarded second mgr.shutdown().
// - shinken-solutions/shinken#1031: making a manager Queue once the manager was gone.
// - boto/s3transfer#123: a caller interrupted mid-call left the manager's connection wedged.
// - marcelotduarte/cx_Freeze#231: Manager().dict() hung with big data.
// - OGGM/oggm#1120: one manager for every worker, so their dict writes meet.
// - python/typeshed#8815: a DictProxy's values() (and keys(), items()) are copies, as lists.
// - python/cpython#71936: "send() called for a closed connection" once the serving process died.
// - python/cpython#85106 (bpo-40934): a manager Condition over its default RLock across processes.
// - python/cpython#115942: a manager Lock's proxy had no locked().
// - python/cpython#110206, #130954: a parent's proxies collected while its workers used theirs.
// - exhuma/python-cluster#17: task_done() and join() of a (manager) JoinableQueue.
import {
  Manager,
  ManagerClosedError,
  Process,
  QueueEmptyError,
  SerializationError,
} from '@multiproc/multiproc';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/manager-54-tasks.mjs';
import { CONTEXTS, poolsEndedAfterEach, runProgram, within } from './report-helpers.ts';

const pool = poolsEndedAfterEach();
const managers: ReturnType<typeof Manager>[] = [];
const started: Process[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
  await Promise.all(managers.splice(0).map((m) => m.shutdown()));
});

function manager(): ReturnType<typeof Manager> {
  const m = Manager();
  managers.push(m);
  return m;
}

function startProcess(options: ConstructorParameters<typeof Process>[0]): Process {
  const p = new Process(options);
  started.push(p);
  p.start();
  return p;
}

class Thrower {
  explode(what: string): never {
    throw new TypeError(`served method failed: ${what}`);
  }
}

class Counter {
  n = 41;
  get(): number {
    return ++this.n;
  }
}

class Holder {
  m: { get(): unknown };
  constructor(m: { get(): unknown }) {
    this.m = m;
  }
  async read(): Promise<unknown> {
    return await this.m.get();
  }
}

describe.each(CONTEXTS)('manager reports (54), %s context', (context) => {
  // sybrenjansen/mpire#104: the answer there passes `mp.Manager().list()` to every task, which
  // appends. We: ten tasks over two workers append to one list proxy; all ten items are there.
  it('mpire#104: pool tasks append to one list proxy; every item arrives', { timeout: 30_000 }, async () => {
    const l = manager().list<number>();
    const p = pool({ processes: 2, context });
    await p.starmap(
      t.appendTo,
      Array.from({ length: 10 }, (_, i) => [l, i] as [typeof l, number]),
    );
    expect((await l.copy()).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  // prickly-pythons#14 (and typeshed#4204: a Namespace takes any attribute): a module-level
  // Namespace read and written by Pool.map tasks. We: tasks read what was set before and set `z`.
  it('prickly-pythons#14: Pool.map tasks read and set the attributes of one Namespace', {
    timeout: 30_000,
  }, async () => {
    const ns = manager().Namespace();
    await ns.set('a', 5.25e6);
    await ns.set('c', [1, 2, 3, 4]);
    const p = pool({ processes: 2, context });
    const seen = await p.starmap(
      t.nsTouch,
      [20, 21, 22, 23, 24].map((i) => [ns, i] as [typeof ns, number]),
    );
    expect(seen.every((s) => s.a === 5.25e6 && (s.c as number[]).length === 4)).toBe(true);
    expect([20, 21, 22, 23, 24]).toContain(await ns.get('z'));
  });

  // "How to use a multiprocessing.Manager()": Python's f(ns, ls, di) in a child. What is assigned
  // back through the proxy and what a nested managed list holds propagate; an edit of a value read
  // out of a proxy changes a copy. We do exactly what Python prints.
  it('manager-howto answer: a child edits a Namespace, list and dict as Python f(ns, ls, di)', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    const ns = m.Namespace({ x: 1, y: [1], z: [1] });
    const ls = m.list<unknown>([1, [1], [1], m.list([1])]);
    const di = m.dict<number, unknown>([
      [0, 1],
      [1, [1]],
      [2, [1]],
      [3, m.list([1])],
    ]);
    const p = startProcess({ target: t.pythonF, args: [ns, ls, di], context });
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    expect(await ns.copy()).toEqual({ x: 2, y: [1], z: [2] });
    expect((await ls.copy()).slice(0, 3)).toEqual([2, [1], [2]]);
    expect(await ((await ls.get(3)) as ReturnType<typeof m.list>).copy()).toEqual([2]);
    expect([await di.get(0), await di.get(1), await di.get(2)]).toEqual([2, [1], [2]]);
    expect(await ((await di.get(3)) as ReturnType<typeof m.list>).copy()).toEqual([2]);
  });

  // pytroubles.com, mutation vs rebinding: `shared_seq = [...]` in the child changed nothing;
  // `shared_seq[:] = [...]` replaces the contents. We: setSlice(0, null, values) does it in place.
  it('pytroubles: a child replaces a list proxy contents in place; the parent sees them', {
    timeout: 30_000,
  }, async () => {
    const l = manager().list(['old', 'older', 'oldest', 'ancient']);
    const p = startProcess({ target: t.replaceAll, args: [l, ['a', 'b', 'c']], context });
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    expect(await l.copy()).toEqual(['a', 'b', 'c']);
  });

  // runebook.dev, Namespace: three children `ns.my_list.append(i)`: the list in the parent stays
  // empty (each child changed a copy). Reassigning the attribute (under a lock, or one child at a
  // time as here) keeps every item.
  it('runebook Namespace: appending to a list read from a Namespace is lost; reassigning keeps it', {
    timeout: 30_000,
  }, async () => {
    const ns = manager().Namespace({ myList: [] as number[], kept: [] as number[] });
    for (const i of [1, 2, 3]) {
      const p = startProcess({ target: t.nsListAppend, args: [ns, i], context });
      await p.join(20_000);
      expect(p.exitCode).toBe(0);
    }
    expect(await ns.get('myList')).toEqual([]);
    expect(await ns.get('kept')).toEqual([1, 2, 3]);
  });

  // giampaolo/psutil#1523: `ns.primary = psutil.Process()` raised "can't pickle _thread.RLock" deep
  // in the send. We: a value with a function is refused with SerializationError at that call, in
  // the worker, and the Namespace goes on working (the next set arrives).
  it('psutil#1523: a Namespace set() of an unsendable value rejects with SerializationError; the next set works', {
    timeout: 30_000,
  }, async () => {
    const ns = manager().Namespace();
    const p = pool({ processes: 1, context });
    const error = await p.apply(t.nsSetUnsendable, [ns]);
    expect(error?.name).toBe('SerializationError');
    expect(await ns.get('primary')).toBeUndefined();
    expect(await ns.get('secondary')).toMatch(/^pid \d+$/);
    await expect(ns.set('here', { f: () => 1 })).rejects.toBeInstanceOf(SerializationError);
  });

  // uqfoundation/multiprocess#37: a manager Lock inside a tuple given to Pool.map failed
  // ("SyncManager has no attribute from_address"). We: the tuples carry the Lock and a dict; the
  // count is exact. The manager itself cannot travel (Python: "Pickling an AuthenticationString
  // object is disallowed"): a named error before anything runs.
  it('multiprocess#37: a manager Lock inside Pool.map tuples guards a count; the manager itself is refused', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    const lock = m.Lock();
    const d = m.dict([['count', 0]] as [string, number][]);
    const p = pool({ processes: 2, context });
    await p.map(
      t.lockedIncrement,
      [0, 1, 2, 3].map(() => [lock, d, 10] as [typeof lock, typeof d, number]),
    );
    expect(await d.get('count')).toBe(40);
    const err = await p.apply(t.appendTo, [m as never, 1]).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err?.name).toBe('SerializationError');
    expect(await p.apply(t.appendTo, [m.list(), 2])).toBe(2);
  });

  // joblib#1467 and changeme#14: `queue.get(block=False)` on an empty manager Queue in workers gave
  // TypeError under loky, and Empty surfaced raw. We: getNowait() on an empty queue rejects with
  // QueueEmptyError every time, from four tasks at once.
  it('joblib#1467: getNowait() of an empty manager Queue rejects with QueueEmptyError in every task', {
    timeout: 30_000,
  }, async () => {
    const q = manager().Queue();
    const p = pool({ processes: 2, context });
    const counts = await p.starmap(
      t.drainEmpty,
      [0, 1, 2, 3].map(() => [q, 50] as [typeof q, number]),
    );
    expect(counts).toEqual([50, 50, 50, 50]);
    await expect(q.getNowait()).rejects.toBeInstanceOf(QueueEmptyError);
  });

  // python/cpython#79967 (bpo-35786): a Manager().Value has no get_lock(), which the docs of
  // Value suggested. We (as Python): a manager Value proxy has no getLock; a manager Lock makes
  // two workers' read-modify-writes exact.
  it('bpo-35786: a manager Value has no getLock(); a manager Lock keeps two workers increments exact', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    const v = m.Value('i', 0);
    const lock = m.Lock();
    const p = pool({ processes: 2, context });
    const kinds = await p.starmap(t.valueIncrement, [
      [v, lock, 25],
      [v, lock, 25],
    ]);
    expect(await v.get()).toBe(50);
    expect(kinds).toEqual(['undefined', 'undefined']);
  });

  // python/cpython#78279: the manager re-raised a served method's exception without its
  // traceback. We: the same class and message, and the caller's stack followed by the served
  // object's frames, here and in a worker.
  it('gh-78279: a served method that throws rejects with its class, message and the manager stack', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    m.register('Thrower', () => new Thrower());
    const thrower = await m.create('Thrower');
    const served = thrower as unknown as { explode(what: string): Promise<never> };
    const mine = await served.explode('here').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(mine).toBeInstanceOf(TypeError);
    expect(mine?.message).toBe('served method failed: here');
    expect(mine?.stack).toMatch(/The manager's stack/);
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.callThrowing, [thrower])).toEqual({
      name: 'TypeError',
      isTypeError: true,
      message: 'served method failed: boom',
      managerStack: true,
      servedFrame: true,
    });
  });

  // uqfoundation/multiprocess#96: a proxy of one registered type given to another's factory
  // could not be pickled. We: the Holder made with a Counter proxy reads through it, from a worker.
  it('multiprocess#96: a Holder made from a Counter proxy uses it, called from a worker', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    m.register('Counter', () => new Counter());
    m.register('Holder', (c: { get(): unknown }) => new Holder(c));
    const counter = await m.create('Counter');
    const holder = await m.create('Holder', counter);
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.holderRead, [holder])).toBe(42);
    expect(await (counter as unknown as { get(): Promise<number> }).get()).toBe(43);
  });

  // python/cpython#93563: a child made a Manager, a thread polled its Queue with get(timeout), and
  // the child's exit tore the manager down under it (errors printed). We: a Process and a pool
  // task that make their own Manager and poll it end cleanly, with the answer.
  it('gh-93563: a Process and a pool task make their own Manager, poll its Queue, and end cleanly', {
    timeout: 30_000,
  }, async () => {
    const proc = startProcess({ target: t.ownManager, args: [150], context });
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.ownManager, [150])).toEqual({ empties: true, last: 'last' });
    await proc.join(20_000);
    expect(proc.exitCode).toBe(0);
  });

  // python/cpython#71936 ("send() called for a closed connection") and the manager process killed
  // mid-call: the serving process is gone while calls wait. We: a dict served by a Process that is
  // killed: a call made before and one made after reject with ManagerClosedError, none hangs.
  it('gh-71936: the process serving a manager is killed; pending and later calls reject with ManagerClosedError', {
    timeout: 30_000,
  }, async () => {
    const out = manager().Queue();
    const server = startProcess({ target: t.serveDict, args: [out], context });
    const [d, q] = (await out.get()) as [
      ReturnType<ReturnType<typeof Manager>['dict']>,
      ReturnType<ReturnType<typeof Manager>['Queue']>,
    ];
    expect(await d.get('from')).toBe('child');
    const waiting = q.get().then(
      () => 'answered',
      (e: Error) => e,
    );
    server.kill();
    await server.join(10_000);
    expect(await within(waiting, 10_000)).toBeInstanceOf(ManagerClosedError);
    const later = d.set('after', 1).then(() => d.get('after'));
    expect(
      await within(
        later.catch((e: Error) => e),
        10_000,
      ),
    ).toBeInstanceOf(ManagerClosedError);
  });

  // boto/s3transfer#123: Ctrl-C while waiting on the manager left the connection expecting the old
  // answer, and the next call hung. We: a consumer killed while its get() waits takes nothing: the
  // item put afterwards goes to the next get(), and the queue answers at once.
  it('s3transfer#123: a consumer killed mid-get() takes nothing; the next get() has the item', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    const q = m.Queue();
    const started_ = m.Event();
    const waiter = startProcess({ target: t.waitOn, args: [q, started_], context });
    expect(await started_.wait(15_000)).toBe(true);
    waiter.kill();
    await waiter.join(10_000);
    await q.put('item');
    expect(await within(q.get({ timeout: 5000 }), 10_000)).toBe('item');
    expect(await q.qsize()).toBe(0);
  });

  // marcelotduarte/cx_Freeze#231: creating a Manager dict hung with big data about. We: a worker
  // writes a 4 MiB string and a 200k-number array to a dict proxy and reads them back; so do we.
  it('cx_Freeze#231: big values through a dict proxy, from a worker and back', {
    timeout: 60_000,
  }, async () => {
    const d = manager().dict<string, unknown>();
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.bigValues, [d, 4 << 20, 200_000])).toBe((4 << 20) + 200_000);
    expect(((await d.get('text')) as string).length).toBe(4 << 20);
    expect(((await d.get('numbers')) as number[])[199_999]).toBe(199_999);
  });

  // OGGM/oggm#1120: each spawned worker made its own Manager at import, so their dicts never met.
  // We: one Manager's dict passed to every task gets every task's key.
  it('oggm#1120: tasks of two workers write keys of one dict proxy; all meet there', {
    timeout: 30_000,
  }, async () => {
    const d = manager().dict<string, number>();
    const p = pool({ processes: 2, context });
    const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
    await p.starmap(
      t.writeKey,
      keys.map((k) => [d, k] as [typeof d, string]),
    );
    expect((await d.keys()).sort()).toEqual(keys);
  });

  // python/typeshed#8815 (DictProxy.values() is a list) and the proxies' views: a worker iterates a
  // dict and a list proxy, reads values(), items(), len(), has(), slices with a step, includes().
  it('typeshed#8815: a worker reads a dict proxy views and iterates and slices a list proxy', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    const d = m.dict<string, number>([
      ['b', 2],
      ['a', 1],
    ]);
    const l = m.list([1, 2, 3, 4, 5]);
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.readViews, [d, l])).toEqual({
      keys: ['b', 'a'],
      values: [2, 1],
      items: [
        ['b', 2],
        ['a', 1],
      ],
      len: 2,
      has: [true, false],
      listed: [1, 2, 3, 4, 5],
      odd: [2, 4],
      back: [5, 4, 3, 2, 1],
      includes: [true, false],
      listLen: 5,
    });
  });

  // Proxies of proxies (python/cpython#119937's nesting, three levels): a list proxy holding a
  // dict proxy holding a list proxy; a worker edits the innermost through the outer ones.
  it('a worker edits a list proxy held by a dict proxy held by a list proxy', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    const inner = m.list(['here']);
    const outer = m.list([m.dict<string, unknown>([['inner', inner]])]);
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.nestedEdit, [outer])).toBe(2);
    expect(await inner.copy()).toEqual(['here', 'from worker']);
    const d = (await outer.get(0)) as ReturnType<typeof m.dict<string, unknown>>;
    expect(await d.get('touched')).toBe(true);
  });

  // python/cpython#85106 (bpo-40934): a manager Condition over its default RLock seemed not to work
  // across processes (closed: works for me). We: a worker takes it twice, waits, and is notified
  // by this program; the lock is free afterwards.
  it('bpo-40934: a worker waits on a manager Condition taken twice; a notify() here wakes it', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    const cond = m.Condition();
    const waiting = m.Event();
    const p = pool({ processes: 1, context });
    const woken = p.apply(t.condReentrant, [cond, waiting]);
    expect(await waiting.wait(15_000)).toBe(true);
    await cond.acquire();
    await cond.notify();
    await cond.release();
    expect(await woken).toBe(true);
    expect(await cond.acquire(1000)).toBe(true);
    await cond.release();
  });

  // python/cpython#115942: a manager Lock's proxy had no locked(). We: locked() of a manager Lock
  // and RLock held here answers true in a worker, false once released.
  it('gh-115942: a worker reads locked() of a manager Lock and RLock held here', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    const lock = m.Lock();
    const rlock = m.RLock();
    await lock.acquire();
    await rlock.acquire();
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.lockedHere, [lock, rlock])).toEqual([true, true]);
    await lock.release();
    await rlock.release();
    expect(await p.apply(t.lockedHere, [lock, rlock])).toEqual([false, false]);
  });

  // Probe (exhuma/python-cluster#17: task_done() belongs to a JoinableQueue): a manager
  // JoinableQueue's join() here resolves once two workers marked every item done.
  it('probe: join() of a manager JoinableQueue resolves once workers marked every item done', {
    timeout: 30_000,
  }, async () => {
    const q = manager().JoinableQueue<number>();
    for (let i = 1; i <= 10; i++) await q.put(i);
    const p = pool({ processes: 2, context });
    const sums = Promise.all([p.apply(t.consumeDone, [q, 5]), p.apply(t.consumeDone, [q, 5])]);
    expect(await within(q.join(), 20_000)).toBeUndefined();
    expect((await sums).reduce((a, b) => a + b, 0)).toBe(55);
  });

  // Probes: every waiting proxy call with a timeout, from a worker, answers false (or
  // QueueEmptyError) after about that long while something else holds or nothing sets it.
  it('probe: Lock, Event, Condition and Queue proxies time out in a worker', {
    timeout: 30_000,
  }, async () => {
    const m = manager();
    const lock = m.Lock();
    await lock.acquire();
    const p = pool({ processes: 1, context });
    const r = await p.apply(t.timeouts, [lock, m.Event(), m.Condition(), m.Queue()]);
    expect(r).toMatchObject({ got: false, set: false, notified: false, empty: true });
    expect(r.tookMs).toBeGreaterThanOrEqual(380);
    await lock.release();
  });

  // Probe: a process killed while it holds a manager Lock releases it (docs: a holder that dies).
  it('probe: a manager Lock held by a killed process is released', { timeout: 30_000 }, async () => {
    const m = manager();
    const lock = m.Lock();
    const held = m.Event();
    const holder = startProcess({ target: t.holdForever, args: [lock, held], context });
    expect(await held.wait(15_000)).toBe(true);
    expect(await lock.acquire(100)).toBe(false);
    holder.kill();
    await holder.join(10_000);
    expect(await lock.acquire(10_000)).toBe(true);
    await lock.release();
  });

  // Probe: Condition.waitFor (Python wait_for) on a manager Value that a worker changes.
  it('probe: Condition.waitFor on a manager Value that a worker bumps', { timeout: 30_000 }, async () => {
    const m = manager();
    const cond = m.Condition();
    const v = m.Value('i', 0);
    const p = pool({ processes: 1, context });
    const bumped = p.apply(t.bumpAndNotify, [cond, v]);
    await cond.acquire();
    let seen = -1;
    const ok = await cond.waitFor(() => v.get().then((x) => (seen = x) >= 3), 15_000);
    await cond.release();
    expect(await bumped).toBe(true);
    expect(ok).toBeTruthy();
    expect(seen).toBe(3);
  });
});

describe('manager reports (54), the manager itself', () => {
  // dPys/PyNets#364: an unguarded `mgr.shutdown()` called twice (and after the `with` block) failed.
  // We: shutdown() again resolves, `await using` after it too, and proxies then reject with
  // ManagerClosedError.
  it('PyNets#364: shutdown() twice and `await using` after it resolve; proxies then reject', async () => {
    let d: ReturnType<ReturnType<typeof Manager>['dict']> | undefined;
    {
      await using m = Manager();
      d = m.dict([['a', 1]]);
      expect(await d.get('a')).toBe(1);
      await m.shutdown();
      await m.shutdown();
    }
    await expect(d.get('a')).rejects.toBeInstanceOf(ManagerClosedError);
    {
      await using m2 = Manager();
      d = m2.dict([['b', 2]]);
      expect(await d.get('b')).toBe(2);
    }
    await expect(d.get('b')).rejects.toBeInstanceOf(ManagerClosedError);
  });

  // shinken#1031: `self.manager.Queue()` once the manager had gone raised deep in the connection
  // code. We: every factory of a shut-down manager throws ManagerClosedError (as its proxies
  // reject), and `create()` rejects with it; nothing waits.
  it('shinken#1031: making a Queue of a shut-down manager throws ManagerClosedError, never a hang', async () => {
    const m = Manager();
    m.register('Box', () => ({ get: () => 1 }));
    await m.shutdown();
    expect(() => m.Queue()).toThrow(ManagerClosedError);
    expect(() => m.dict()).toThrow(ManagerClosedError);
    await expect(m.create('Box')).rejects.toBeInstanceOf(ManagerClosedError);
    await expect(m.numberOfObjects()).rejects.toBeInstanceOf(ManagerClosedError);
  });

  // python/cpython#103136: a Lock proxy appended to a list proxy, the local proxy dropped, then the
  // item deleted: the server kept the Lock. We: it is freed once nothing refers to it.
  it('gh-103136: a proxy stored in a list proxy and deleted from it is freed', {
    timeout: 60_000,
  }, async () => {
    const r = await runProgram('manager-54-program.mjs', ['nested-release', 'thread'], ['--expose-gc']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual(['stored 1', 'after pop 0', '']);
  });

  // python/cpython#119937 (first point) and R-a-dio/Hanyuu-sama#53: a proxy in flight was freed
  // once its sender dropped its own, and the receiver got KeyError. We: a dict proxy put on a
  // queue, every other proxy of it collected, is received and used in a worker.
  it.each(CONTEXTS)(
    'gh-119937: a proxy on its way while its sender dropped it still works (%s)',
    {
      timeout: 60_000,
    },
    async (context) => {
      const r = await runProgram('manager-54-program.mjs', ['sent-then-dropped', context], ['--expose-gc']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('exit 0 before the sender dropped it number');
    },
  );

  // python/cpython#110206 and #130954 (test_notify_all / test_notify_n hung): the parent's
  // proxies of a Semaphore and a Condition were collected while its workers still used theirs,
  // and the manager freed the objects. We: they live while a worker's proxy does; both end with 0.
  it.each(CONTEXTS)(
    'gh-110206: workers keep using proxies their parent dropped (%s)',
    {
      timeout: 60_000,
    },
    async (context) => {
      const r = await runProgram('manager-54-program.mjs', ['dropped-while-used', context], ['--expose-gc']);
      expect(r).toMatchObject({ code: 0, stdout: 'exits 0 0\n', stderr: '' });
    },
  );

  // vlivashkin/GPUParallel#6 (and runebook.dev's "zombie" manager): a manager nobody shut down
  // kept the program and its children alive. We: the program ends by itself, exit code 0.
  it.each(CONTEXTS)(
    'GPUParallel#6: a program that never shuts its manager down ends (%s)',
    {
      timeout: 60_000,
    },
    async (context) => {
      const r = await runProgram('manager-54-program.mjs', ['live-manager', context]);
      expect(r).toMatchObject({ code: 0, stdout: 'done 1\n', stderr: '' });
    },
  );
});
