// The members of the thread context's Lock/RLock/Condition/Value/Array exist in the process
// context too: the same value where it can be known at once there, a Promise where it crosses to
// the manager, or a ContextError naming what to use instead (never `undefined`, never `{}`).
import { getContext } from '@multiproc/core';
import { ContextError, TimeoutError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

const thread = getContext('thread');
const proc = getContext('process');

describe.each([
  ['thread', thread],
  ['process', proc],
] as const)("getContext('%s') primitives", (_name, ctx) => {
  it('RLock.isOwned() says whether this thread or process holds it', { timeout: 10_000 }, async () => {
    const r = ctx.RLock();
    expect(r.isOwned()).toBe(false);
    await r.acquire();
    await r.acquire();
    expect(r.isOwned()).toBe(true);
    await r.release();
    expect(r.isOwned()).toBe(true);
    await r.release();
    expect(r.isOwned()).toBe(false);
  });

  it("Condition.lock is the condition's lock (the one given, or its own RLock)", {
    timeout: 10_000,
  }, async () => {
    const lock = ctx.Lock();
    const cond = ctx.Condition(lock as never);
    await cond.acquire();
    expect(await cond.lock.locked()).toBe(true);
    await cond.lock.release(); // the same lock: this releases the condition
    expect(await lock.locked()).toBe(false);
    const own = ctx.Condition();
    await own.acquire();
    expect((own.lock as { isOwned(): boolean }).isOwned()).toBe(true);
    await own.release();
    expect((own.lock as { isOwned(): boolean }).isOwned()).toBe(false);
  });

  it('withLock(fn, { timeout }) rejects with TimeoutError when the lock stays held', {
    timeout: 10_000,
  }, async () => {
    const lock = ctx.Lock();
    await lock.acquire();
    let ran = false;
    await expect(lock.withLock(() => (ran = true), { timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
    expect(ran).toBe(false);
    await lock.release();
    expect(await lock.withLock(() => 7, { timeout: 5000 })).toBe(7);
  });

  it('Array.toArray() gives the items (awaited in the process context)', { timeout: 10_000 }, async () => {
    const a = ctx.Array('i', [1, 2, 3]);
    expect(await a.toArray()).toEqual([1, 2, 3]);
  });
});

describe('what only the thread context can answer at once', () => {
  it('abandoned: false on a thread Lock; a ContextError on a process one', () => {
    expect(thread.Lock().abandoned).toBe(false);
    expect(thread.RLock().abandoned).toBe(false);
    expect(() => proc.Lock().abandoned).toThrow(ContextError);
    expect(() => proc.RLock().abandoned).toThrow(ContextError);
  });

  it('JSON.stringify() of a Value or Array: their contents; a ContextError naming the awaited form', () => {
    expect(JSON.stringify(thread.Value('i', 5))).toBe('5');
    expect(JSON.stringify(thread.Array('i', [1, 2]))).toBe('[1,2]');
    expect(() => JSON.stringify(proc.Value('i', 5))).toThrow(/await v\.get\(\)/);
    expect(() => JSON.stringify(proc.Array('i', [1, 2]))).toThrow(ContextError);
  });

  it('isOwned() of a process Lock or Semaphore, which have no owner, is a ContextError', () => {
    expect(() => proc.Lock().isOwned()).toThrow(ContextError);
    expect(() => proc.Semaphore(1).isOwned()).toThrow(ContextError);
  });
});
