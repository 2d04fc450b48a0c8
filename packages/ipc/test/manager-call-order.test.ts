// Python's proxy calls are synchronous: the calls one thread makes take effect, and return, in the
// order it made them. Ours return promises, and code ported from Python (or `cond.notify();
// cond.release()`) does not await each one. These tests hold one thread's or process's calls to
// that order with a real manager, in the main thread, a thread worker and a child process, for
// every proxy type of `Manager()` and of getContext('process'): each call takes effect after the
// ones made before it (a `locked()` made before a `release()` sees the lock held), and its promise
// settles after theirs. A call that waits for another party (an acquire of a lock held elsewhere,
// a wait, a blocking get) takes its place in that order and does not hold back the later calls
// of its thread, which may be what ends it (as another Python thread would).
import { Queue, SyncManager } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { isSettled, managerTestKit } from './manager-kit.js';

const fixture = await import(new URL('./fixtures/call-order-tasks.mjs', import.meta.url).href);
const { runSequences, tasks } = fixture;

const { cleanup, manager, start } = managerTestKit();

const u = undefined;
// What each sequence of call-order-tasks.mjs gives in Python (calls run one after the other).
const EXPECTED: Record<string, unknown[]> = {
  Lock: [true, u, false, true, true, u, false],
  RLock: [true, u, false, true, true, u, false],
  Semaphore: [0, false, u, 1, true, 0, u],
  BoundedSemaphore: [0, false, u, 1, true, 0, u],
  Condition: [false, u, true, u, u, false],
  Event: [u, true, u, false, false, u, true, u],
  Barrier: [
    '!BrokenBarrierError',
    { broken: true, nWaiting: 0, parties: 2 },
    u,
    { broken: false, nWaiting: 0, parties: 2 },
  ],
  Value: [u, 1, u, 2],
  Array: [u, 5, u, [5, 6]],
  list: [u, 2, 1, u, [0, 2]],
  dict: [u, 1, true, false, u, 2],
  Namespace: [u, 1, u, 2],
  Queue: [u, u, 2, 1, 2, 0],
};

/** One of each proxy type: the sync primitives, Value and Array from `Manager()` or getContext('process'). */
async function objects(source: 'Manager' | 'process') {
  const m = await manager();
  const f = source === 'Manager' ? m : core.getContext('process');
  const condLock = f.Lock();
  return {
    lock: f.Lock(),
    rlock: f.RLock(),
    sem: f.Semaphore(1),
    bsem: f.BoundedSemaphore(1),
    condLock,
    cond: f.Condition(condLock),
    event: f.Event(),
    barrier: f.Barrier(2),
    value: f.Value('i', 0),
    array: f.Array('i', [0, 0]),
    list: m.list<number>(),
    dict: m.dict<string, number>(),
    ns: m.Namespace(),
    queue: m.Queue<number>(),
  };
}

function expectInOrder(out: Record<string, { got: unknown[]; order: number[] }>): void {
  for (const [name, want] of Object.entries(EXPECTED)) {
    expect({ name, got: out[name]?.got }).toEqual({ name, got: want });
    expect({ name, order: out[name]?.order }).toEqual({ name, order: want.map((_, i) => i) });
  }
}

describe.each(['Manager', 'process'] as const)("un-awaited calls of %s()'s proxies", (source) => {
  it('take effect and settle in the order made, in this thread', { timeout: 30_000 }, async () => {
    for (let round = 0; round < 3; round++) expectInOrder(await runSequences(await objects(source)));
  });

  it.each(matrix(import.meta.url))(
    'take effect and settle in the order made, in a %s worker',
    {
      timeout: 60_000,
    },
    async (context) => {
      const pool = new core.Pool({ processes: 1, context });
      cleanup.push(() => pool.terminate());
      for (let round = 0; round < 2; round++)
        expectInOrder(await pool.apply(tasks.runSequences, [await objects(source)]));
    },
  );
});

describe.each(matrix(import.meta.url))('a call that waits for another party (%s)', (context) => {
  it("takes its place in its thread's order and does not hold back the later calls", {
    timeout: 30_000,
  }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const [said, go] = [new Queue<string>(), new Queue<string>()];
    cleanup.push(
      () => said.close(),
      () => go.close(),
    );
    const p = start(tasks.holdUntil, [lock, said, go], context);
    expect(await said.get(10_000)).toBe('held');
    // Held by the other one: these wait there, queued in the order made.
    const first = lock.acquire(10_000);
    const second = lock.acquire(10_000);
    // The later calls of this thread run meanwhile (they may be what ends a wait).
    expect(await lock.locked()).toBe(true);
    expect(await lock.acquire({ block: false })).toBe(false);
    const q = m.Queue<number>();
    const got = q.get(10_000);
    await q.put(7);
    expect(await got).toBe(7);
    const ev = m.Event();
    const woken = ev.wait(10_000);
    await ev.set();
    expect(await woken).toBe(true);
    expect(await isSettled(first)).toBe(false);
    await go.put('release');
    expect(await first).toBe(true); // FIFO: the one made first gets it first
    expect(await isSettled(second)).toBe(false);
    await lock.release();
    expect(await second).toBe(true);
    await lock.release();
    await p.join();
    expect(p.exitCode).toBe(0);
  });
});

describe.each(matrix(import.meta.url))('two %ss each holding a dict the other calls', (context) => {
  it('both get their answer: a lease given back is not held behind its own call', {
    timeout: 30_000,
  }, async () => {
    const m = await manager();
    for (let round = 0; round < 3; round++) {
      const [d, e] = [m.dict<string, number>([['k', 0]]), m.dict<string, number>([['k', 0]])];
      const [said, go] = [new Queue<string>(), new Queue<string>()];
      cleanup.push(
        () => said.close(),
        () => go.close(),
      );
      const ps = [start(tasks.leaseThenCross, [d, e, 10, said, go], context)];
      ps.push(start(tasks.leaseThenCross, [e, d, 20, said, go], context));
      expect([await said.get(10_000), await said.get(10_000)]).toEqual(['leased', 'leased']);
      await go.put('go');
      await go.put('go');
      // Each read the other's dict as it was, or with one or both writes made before its read.
      const read = [await said.get(10_000), await said.get(10_000)];
      for (const r of read) expect(['0', '10', '11', '20', '21']).toContain(r);
      for (const p of ps) await p.join();
      expect(ps.map((p) => p.exitCode)).toEqual([0, 0]);
      expect([await d.get('k'), await e.get('k')]).toEqual([11, 21]);
    }
  });
});

describe.each(matrix(import.meta.url))('a %s killed while its call waits for a lease', (context) => {
  it('is gone at once: what it held is released', { timeout: 30_000 }, async () => {
    const m = await manager();
    const [lock, rlock] = [m.Lock(), m.RLock()];
    const said = new Queue<string>();
    cleanup.push(() => said.close());
    const holder = start(tasks.leaseThenBlock, [lock, said], context);
    expect(await said.get(10_000)).toBe('leased');
    const asker = start(tasks.holdThenAsk, [rlock, lock, said], context);
    expect(await said.get(10_000)).toBe('held');
    await new Promise((r) => setTimeout(r, 200)); // its locked() waits at the manager for the lease
    asker.kill();
    await asker.join();
    // The holder never gives the lease back, yet the asker's end is not held behind its call.
    expect(await rlock.acquire(10_000)).toBe(true);
    await rlock.release();
    holder.kill();
  });
});

describe('calls made before an answer that leases the Lock', () => {
  it('run in order once the lease came back, with no hang', { timeout: 20_000 }, async () => {
    const m = await manager();
    for (let round = 0; round < 5; round++) {
      const lock = m.Lock();
      await lock.acquire();
      await lock.release();
      // The second acquire is leased to this thread; `locked()` reaches the manager before this
      // thread has read that answer, and waits there for the lease to come back.
      const taken = lock.acquire();
      const locked = lock.locked();
      const released = taken.then(() => lock.release());
      expect([await taken, await locked, await released]).toEqual([true, true, undefined]);
      expect(await lock.locked()).toBe(false);
    }
  });
});

describe("a connected manager's proxy still being created", () => {
  it('sends the calls made meanwhile before one made as the object comes', { timeout: 20_000 }, async () => {
    const server = await SyncManager.start({ authkey: 'call-order' });
    cleanup.push(() => server.shutdown());
    const c = new SyncManager({ address: server.address, authkey: 'call-order' });
    await c.connect();
    const other = c.list<number>();
    await other.len();
    for (let round = 0; round < 10; round++) {
      const l = c.list<number>(); // its calls wait for the object's reference
      l.append(1);
      // Answered in the same read as the creation: this call is made as the reference comes.
      const second = other.len().then(() => l.append(2));
      await second;
      expect(await l.copy()).toEqual([1, 2]);
    }
  });
});
