import {
  abandonOwner,
  Barrier,
  BoundedSemaphore,
  Condition,
  ContextError,
  Event,
  encodeValue,
  getOwnerId,
  Lock,
  LockError,
  RawArray,
  RLock,
  Semaphore,
  TimeoutError,
  ValidationError,
  Value,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

async function countWith(locked: boolean, iterations: number, workers = 4): Promise<number> {
  const value = new Value('i', 0);
  const start = new Barrier(workers);
  const ws = Array.from({ length: workers }, () =>
    startWorker('increment', { value, iterations, locked, start }),
  );
  await Promise.all(ws.map((w) => nextMessage(w)));
  return value.value;
}

describe('Lock', () => {
  it('tries, releases, reports locked, and refuses to release when not held', async () => {
    const lock = new Lock();
    expect(lock.locked()).toBe(false);
    expect(lock.tryAcquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    expect(lock.acquireSync({ timeout: 5 })).toBe(false);
    expect(await lock.acquire({ timeout: 5 })).toBe(false);
    lock.release();
    const err = (() => {
      try {
        lock.release();
      } catch (e) {
        return e as LockError;
      }
    })();
    expect(err).toBeInstanceOf(LockError);
    expect(err?.code).toBe('MP_LOCK');
    expect(await lock.withLock(() => 7)).toBe(7);
    await expect(lock.withLock(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(lock.locked()).toBe(false);
    lock.acquireSync();
    await expect(lock.withLock(() => 1, { timeout: 1 })).rejects.toBeInstanceOf(TimeoutError);
    expect(() => lock.acquireSync({ timeout: Number.NaN })).toThrow(ValidationError);
    lock.release();
  });

  it('4 threads x 100k locked increments give exactly 400k', async () => {
    expect(await countWith(true, 100_000)).toBe(400_000);
  });

  it('without the lock the race loses increments', async () => {
    let lowest = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 5 && lowest === Number.POSITIVE_INFINITY; attempt++) {
      const total = await countWith(false, 1_000_000);
      if (total < 4_000_000) lowest = total;
    }
    expect(lowest).toBeLessThan(4_000_000);
  });

  it('acquire() waits without blocking the event loop', async () => {
    const lock = new Lock();
    const release = new Event();
    const w = startWorker('hold-lock', { lock, release });
    await nextMessage(w);
    let ticks = 0;
    const timer = setInterval(() => {
      if (++ticks === 3) release.set();
    }, 1);
    try {
      expect(await lock.acquire()).toBe(true);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThanOrEqual(3);
    lock.release();
  });

  it('does not starve waiters (sync and async) while two threads re-acquire back to back', async () => {
    const lock = new Lock();
    const stop = new Event();
    const go = new Event();
    const ready = new Event();
    const started = new Semaphore(0);
    const scratch = new RawArray('i', 1);
    // The waiter thread boots first: once the hammers run, they take both cores.
    const waiter = startWorker('waiter', { kind: 'lockRepeat', lock, go, ready, times: 20, timeout: 5000 });
    await ready.wait();
    const ws = [0, 1].map(() => startWorker('hammer-lock', { lock, stop, scratch, started }));
    await started.acquire();
    await started.acquire();
    go.set();
    let taken = 0;
    try {
      for (let i = 0; i < 20; i++) {
        if (await lock.acquire({ timeout: 5000 })) {
          taken++;
          lock.release();
        }
      }
      expect(await nextMessage(waiter)).toEqual({ ok: 20 });
    } finally {
      stop.set();
    }
    expect(taken).toBe(20);
    // The hammers stop too: none of them is left waiting forever either.
    await Promise.all(ws.map((w) => nextMessage<number>(w)));
  });

  it('recovers a lock whose owner thread died holding it', async () => {
    const lock = new Lock();
    const w = startWorker('hold-lock', { lock });
    const { ownerId } = await nextMessage<{ ownerId: number }>(w);
    expect(ownerId).not.toBe(getOwnerId());
    expect(lock.tryAcquire()).toBe(false);
    const waiting = lock.acquire({ timeout: 10_000 });
    await w.terminate();
    expect(abandonOwner(ownerId)).toBe(1);
    expect(await waiting).toBe(true);
    expect(lock.abandoned).toBe(true);
    lock.release();
    expect(lock.tryAcquire()).toBe(true);
    expect(lock.abandoned).toBe(false);
    lock.release();
    expect(abandonOwner(ownerId)).toBe(0);
    expect(() => abandonOwner(0)).toThrow(ValidationError);
  });

  it('refuses to go to a child process, naming the argument', () => {
    const err = (() => {
      try {
        encodeValue([1, { lock: new Lock() }], 'process', 'args');
      } catch (e) {
        return e as ContextError;
      }
    })();
    expect(err).toBeInstanceOf(ContextError);
    expect(err?.message).toContain('args[1].lock');
  });
});

describe('RLock', () => {
  it('re-enters in the owning thread and frees after as many releases', () => {
    const r = new RLock();
    expect(r.acquireSync()).toBe(true);
    expect(r.acquireSync()).toBe(true);
    expect(r.tryAcquire()).toBe(true);
    r.release();
    r.release();
    expect(r.locked()).toBe(true);
    r.release();
    expect(r.locked()).toBe(false);
    expect(() => r.release()).toThrow(LockError);
  });

  it('refuses a release by a thread that does not own it, and blocks other threads', async () => {
    const r = new RLock();
    const release = new Event();
    const w = startWorker('hold-lock', { lock: r, release });
    await nextMessage(w);
    expect(r.isOwned()).toBe(false);
    expect(() => r.release()).toThrow(LockError);
    expect(await r.acquire({ timeout: 5 })).toBe(false);
    const acquiring = r.acquire({ timeout: 10_000 });
    release.set();
    expect(await acquiring).toBe(true);
    expect(r.isOwned()).toBe(true);
    r.release();
  });

  it('is recovered after its owner dies', async () => {
    const r = new RLock();
    const w = startWorker('hold-lock', { lock: r });
    const { ownerId } = await nextMessage<{ ownerId: number }>(w);
    await w.terminate();
    expect(abandonOwner(ownerId)).toBe(1);
    expect(r.acquireSync({ timeout: 1000 })).toBe(true);
    expect(r.abandoned).toBe(true);
    r.release();
    expect(r.locked()).toBe(false);
  });
});

describe("acquire({ block: false, timeout }) ignores the timeout, as Python's multiprocessing locks do", () => {
  for (const [name, make] of [
    ['Lock', () => new Lock()],
    ['RLock', () => new RLock()],
    ['Semaphore', () => new Semaphore(1)],
    ['BoundedSemaphore', () => new BoundedSemaphore(1)],
  ] as const) {
    it(`${name}: held by another thread it answers false at once, free it answers true`, {
      timeout: 5000,
    }, async () => {
      const lock = make();
      const release = new Event();
      const w = startWorker('hold-lock', { lock, release });
      await nextMessage(w);
      // A 60 s timeout would outlast the test's 5 s: answering proves it was not waited for.
      expect(await lock.acquire({ block: false, timeout: 60_000 })).toBe(false);
      expect(lock.acquireSync({ block: false, timeout: 60_000 })).toBe(false);
      if (lock instanceof Lock || lock instanceof RLock) {
        expect(await new Condition(lock).acquire({ block: false, timeout: 60_000 })).toBe(false);
      }
      release.set();
      expect(await nextMessage(w)).toBe('released');
      expect(await lock.acquire({ block: false, timeout: 60_000 })).toBe(true);
      lock.release();
      expect(lock.acquireSync({ block: false, timeout: -1 })).toBe(true);
      lock.release();
    });
  }
});
