import { Condition, Event, Lock, LockError, RawValue, RLock, ValidationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

describe('Condition', () => {
  it('needs its lock held for wait and notify', async () => {
    const cond = new Condition();
    await expect(cond.wait(1)).rejects.toBeInstanceOf(LockError);
    expect(() => cond.waitSync(1)).toThrow(LockError);
    expect(() => cond.notify()).toThrow(LockError);
    expect(() => cond.notifyAll()).toThrow(LockError);
    expect(() => new Condition({} as Lock)).toThrow(ValidationError);
  });

  it('times out with false and holds the lock again afterwards (RLock depth kept)', async () => {
    const cond = new Condition(new RLock());
    await cond.acquire();
    await cond.acquire();
    expect(await cond.wait(5)).toBe(false);
    expect(cond.waitSync(5)).toBe(false);
    expect((cond.lock as RLock).isOwned()).toBe(true);
    cond.release();
    cond.release();
    expect(cond.lock.locked()).toBe(false);
    const plain = new Condition(new Lock());
    expect(await plain.withLock(() => plain.waitFor(() => 0, 5))).toBe(0);
    expect(plain.lock.locked()).toBe(false);
  });

  it('wakes waiters in other threads with notifyAll; waitFor returns the predicate value', async () => {
    const cond = new Condition(new Lock());
    const flag = new RawValue('i', 0);
    const readyA = new Event();
    const readyB = new Event();
    const a = startWorker('waiter', { kind: 'condition', cond, flag, ready: readyA, timeout: 10_000 });
    const b = startWorker('waiter', { kind: 'conditionAsync', cond, flag, ready: readyB, timeout: 10_000 });
    await readyA.wait();
    await readyB.wait();
    await cond.withLock(() => {
      flag.value = 42;
      cond.notifyAll();
    });
    expect(await nextMessage(a)).toEqual({ ok: 42 });
    expect(await nextMessage(b)).toEqual({ ok: 42 });
  });

  it('waitFor gives up at its timeout with the last (falsy) value', async () => {
    const cond = new Condition();
    const flag = new RawValue('i', 0);
    const w = startWorker('waiter', { kind: 'condition', cond, flag, timeout: 20 });
    expect(await nextMessage(w)).toEqual({ ok: 0 });
  });

  it('a notify wakes a main-thread waiter', async () => {
    const cond = new Condition();
    await cond.acquire();
    let woken = false;
    queueMicrotask(async () => {
      await cond.acquire();
      cond.notify();
      woken = true;
      cond.release();
    });
    expect(await cond.wait(10_000)).toBe(true);
    expect(woken).toBe(true);
    cond.release();
  });
});
