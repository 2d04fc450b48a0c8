// The synchronisation primitives print their state as Python's reprs do (CPython's
// _TestLock.test_repr_lock/test_repr_rlock, _TestEvent.test_repr): String() gives the repr,
// console.log() the same state as fields, also while another worker holds them.
import { inspect } from 'node:util';
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  RLock,
  Semaphore,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.js';

describe('String() and inspect() of the primitives', () => {
  it('Lock: owner None, then this process (MainProcess)', () => {
    const lock = new Lock();
    expect(String(lock)).toBe('<Lock(owner=None)>');
    expect(inspect(lock)).toBe('Lock { locked: false, owner: null }');
    lock.acquireSync();
    expect(`${lock}`).toBe('<Lock(owner=MainProcess)>');
    expect(inspect(lock)).toBe("Lock { locked: true, owner: 'MainProcess' }");
    lock.release();
    expect(String(lock)).toBe('<Lock(owner=None)>');
  });

  it('RLock: (None, 0), then (MainProcess, depth)', () => {
    const r = new RLock();
    expect(String(r)).toBe('<RLock(None, 0)>');
    expect(inspect(r)).toBe('RLock { locked: false, owner: null, count: 0 }');
    for (let i = 0; i < 3; i++) r.acquireSync();
    expect(String(r)).toBe('<RLock(MainProcess, 3)>');
    expect(inspect(r)).toBe("RLock { locked: true, owner: 'MainProcess', count: 3 }");
    for (let i = 0; i < 3; i++) r.release();
    expect(String(r)).toBe('<RLock(None, 0)>');
  });

  it('Semaphore and BoundedSemaphore: the value left (and the bound)', () => {
    const sem = new Semaphore(2);
    expect(String(sem)).toBe('<Semaphore(value=2)>');
    sem.acquireSync();
    expect(String(sem)).toBe('<Semaphore(value=1)>');
    expect(inspect(sem)).toBe('Semaphore { value: 1 }');
    const b = new BoundedSemaphore(3);
    b.acquireSync();
    expect(String(b)).toBe('<BoundedSemaphore(value=2, maxvalue=3)>');
    expect(inspect(b)).toBe('BoundedSemaphore { value: 2, maxValue: 3 }');
  });

  it('Event: unset, then set', () => {
    const ev = new Event();
    expect(String(ev)).toBe('<Event(unset)>');
    expect(inspect(ev)).toBe('Event { isSet: false }');
    ev.set();
    expect(String(ev)).toBe('<Event(set)>');
    expect(inspect(ev)).toBe('Event { isSet: true }');
  });

  it('Condition: its lock and its waiters not yet notified', async () => {
    const cond = new Condition(new Lock());
    expect(String(cond)).toBe('<Condition(<Lock(owner=None)>, 0)>');
    expect(String(new Condition())).toBe('<Condition(<RLock(None, 0)>, 0)>');
    await cond.acquire();
    const waiting = cond.wait(5000);
    expect(String(cond)).toBe('<Condition(<Lock(owner=None)>, 1)>');
    expect(inspect(cond)).toBe('Condition { lock: Lock { locked: false, owner: null }, waiters: 1 }');
    await cond.withLock(() => cond.notify());
    expect(await waiting).toBe(true);
    cond.release();
    expect(String(cond)).toBe('<Condition(<Lock(owner=None)>, 0)>');
  });

  it('Barrier: waiters of parties, then broken', async () => {
    const bar = new Barrier(3);
    expect(String(bar)).toBe('<Barrier(waiters=0/3)>');
    const waiting = bar.wait(5000);
    expect(String(bar)).toBe('<Barrier(waiters=1/3)>');
    expect(inspect(bar)).toBe('Barrier { parties: 3, nWaiting: 1, broken: false }');
    bar.abort();
    await expect(waiting).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(String(bar)).toBe('<Barrier(broken)>');
    expect(inspect(bar)).toBe('Barrier { parties: 3, nWaiting: 0, broken: true }');
  });

  it('held by another worker: its name there, SomeOtherProcess here', { timeout: 10_000 }, async () => {
    const lock = new Lock();
    const rlock = new RLock();
    const cond = new Condition(rlock);
    const w = startWorker('repr-holding', { lock, rlock });
    const there = await nextMessage<{ threadId: number; lock: string; rlock: string }>(w);
    expect(there.lock).toBe(`<Lock(owner=Thread-${there.threadId})>`);
    expect(there.rlock).toBe(`<RLock(Thread-${there.threadId}, 3)>`);
    expect(String(lock)).toBe('<Lock(owner=SomeOtherProcess)>');
    expect(String(rlock)).toBe('<RLock(SomeOtherProcess, nonzero)>');
    expect(String(cond)).toBe('<Condition(<RLock(SomeOtherProcess, nonzero)>, 0)>');
    expect(inspect(lock)).toBe("Lock { locked: true, owner: 'SomeOtherProcess' }");
    expect(inspect(rlock)).toBe("RLock { locked: true, owner: 'SomeOtherProcess', count: 3 }");
  });
});
