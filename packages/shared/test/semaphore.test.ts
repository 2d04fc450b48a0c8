import {
  Barrier,
  BoundedSemaphore,
  Lock,
  LockError,
  RawArray,
  RLock,
  Semaphore,
  ValidationError,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

describe('Semaphore', () => {
  it('counts permits, times out, and wakes a waiter on release', async () => {
    const sem = new Semaphore(2);
    expect(sem.tryAcquire()).toBe(true);
    expect(sem.acquireSync()).toBe(true);
    expect(sem.getValue()).toBe(0);
    expect(sem.locked()).toBe(true);
    expect(sem.tryAcquire()).toBe(false);
    expect(sem.acquireSync({ timeout: 5 })).toBe(false);
    expect(await sem.acquire({ timeout: 5 })).toBe(false);
    const w = startWorker('waiter', { kind: 'semaphore', sem, timeout: 10_000 });
    sem.release();
    expect(await nextMessage(w)).toEqual({ ok: true });
    sem.release(2);
    expect(sem.getValue()).toBe(2);
    expect(() => sem.release(0)).toThrow(ValidationError);
    expect(() => new Semaphore(-1)).toThrow(ValidationError);
    expect(await sem.withLock(() => sem.getValue())).toBe(1);
  });

  it('an async acquire is woken by a release in another thread', async () => {
    const sem = new Semaphore(0);
    const acquiring = sem.acquire({ timeout: 10_000 });
    const w = startWorker('waiter', { kind: 'releaseSemaphore', sem });
    expect(await nextMessage(w)).toEqual({});
    expect(await acquiring).toBe(true);
    expect(sem.getValue()).toBe(0);
  });

  it('never admits more than N threads at once', async () => {
    const sem = new Semaphore(2);
    const gauge = new RawArray('i', 2);
    const start = new Barrier(4);
    const ws = Array.from({ length: 4 }, () =>
      startWorker('semaphore-guard', { sem, gauge, iterations: 3000, start }),
    );
    await Promise.all(ws.map((w) => nextMessage(w)));
    expect(gauge.get(0)).toBe(0);
    expect(gauge.get(1)).toBeGreaterThanOrEqual(1);
    expect(gauge.get(1)).toBeLessThanOrEqual(2);
    expect(sem.getValue()).toBe(2);
  });
});

describe('abandoned', () => {
  it('only locks have it: a permit given back to a semaphore is like any other', () => {
    expect(new Lock().abandoned).toBe(false);
    expect(new RLock().abandoned).toBe(false);
    expect('abandoned' in new Semaphore(1)).toBe(false);
    expect('abandoned' in new BoundedSemaphore(1)).toBe(false);
  });
});

describe('BoundedSemaphore', () => {
  it('throws LockError when released past its initial value', () => {
    const b = new BoundedSemaphore(1);
    expect(() => b.release()).toThrow(LockError);
    b.acquireSync();
    b.release();
    expect(() => b.release()).toThrow(LockError);
    expect(b).toBeInstanceOf(Semaphore);
  });

  it('stays bounded in another thread', async () => {
    const b = new BoundedSemaphore(1);
    const gauge = new RawArray('i', 2);
    const start = new Barrier(1);
    await nextMessage(startWorker('semaphore-guard', { sem: b, gauge, iterations: 10, start }));
    expect(() => b.release()).toThrow(LockError);
  });

  // A subclass's `new.target` is the subclass, and a context's callable member (`new mp.BoundedSemaphore(2)`)
  // is a Proxy of the class: neither may make the semaphore unbounded.
  class MySemaphore extends BoundedSemaphore {}
  const forms: [string, (n: number) => Semaphore][] = [
    ['subclass', (n) => new MySemaphore(n)],
    ['Proxy of the class', (n) => new new Proxy(BoundedSemaphore, {})(n)],
  ];
  it.each(forms)('made through a %s is bounded here and in another thread', async (_, make) => {
    const b = make(1);
    expect(b).toBeInstanceOf(BoundedSemaphore);
    expect(() => b.release()).toThrow(LockError);
    expect(b.getValue()).toBe(1);
    const w = startWorker('waiter', { kind: 'releaseSemaphore', sem: b });
    expect(await nextMessage(w)).toEqual({ error: 'LockError' });
    expect(b.getValue()).toBe(1);
  });
});
