// getContext('process').Value()/Array() carry a lock as Python's ctx.Value()/ctx.Array() do
// (`get_lock()`, `lock=`): the same lock in every child the value is sent to.
import { getContext, Process, ValidationError } from '@multiproc/core';
import { Lock } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';

const { lockTasks } = await import(new URL('./fixtures/primitive-tasks.mjs', import.meta.url).href);
const ctx = getContext('process');

const started: Process[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
});

function start(target: unknown, args: unknown[]) {
  const p = new Process({ target: target as never, args: args as never, context: 'process' });
  started.push(p);
  p.start();
  return p;
}

describe("getContext('process').Value()/Array() getLock()", () => {
  it('a counter incremented under v.getLock() by 2 child processes ends at the exact total', {
    timeout: 60_000,
  }, async () => {
    const v = ctx.Value('i', 0);
    const ps = [0, 1].map(() => start(lockTasks.incrementUnderGetLock, [v, 50]));
    for (const p of ps) await p.join();
    expect(ps.map((p) => p.exitCode)).toEqual([0, 0]);
    expect(await v.get()).toBe(100);
  });

  it('an Array item incremented under a.getLock() by 2 child processes ends at the exact total', {
    timeout: 60_000,
  }, async () => {
    const a = ctx.Array('i', [0, 7]);
    const ps = [0, 1].map(() => start(lockTasks.incrementItemUnderGetLock, [a, 50]));
    for (const p of ps) await p.join();
    expect(ps.map((p) => p.exitCode)).toEqual([0, 0]);
    expect(await a.copy()).toEqual([100, 7]);
  });

  it("a child's copy returns the same lock: held there, the parent's getLock() cannot take it", {
    timeout: 30_000,
  }, async () => {
    const v = ctx.Value('d', 1.5);
    const held = ctx.Event();
    const done = ctx.Event();
    const p = start(lockTasks.holdValueLock, [v, held, done]);
    await held.wait();
    expect(await v.getLock().tryAcquire()).toBe(false);
    await done.set();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await v.getLock().tryAcquire()).toBe(true);
    v.getLock().release();
  });

  it('{ lock } shares a given ctx.Lock(); { lock: false } and RawValue/RawArray have no getLock()', async () => {
    const lock = ctx.Lock();
    const v = ctx.Value('i', 0, { lock });
    const a = new ctx.Array('i', 3, { lock });
    await lock.acquire();
    expect(await v.getLock().tryAcquire()).toBe(false);
    expect(await a.getLock().tryAcquire()).toBe(false);
    lock.release();
    expect(v.getLock()).toBe(v.getLock());
    for (const raw of [ctx.Value('i', 0, { lock: false }), ctx.RawValue('i', 0), ctx.RawArray('i', 2)]) {
      expect('getLock' in raw).toBe(false);
    }
    expect(ctx.RawValue('i', 0)).toBeInstanceOf(ctx.Value);
  });

  it('getLock() returns the very lock given as { lock } (Python: get_lock() is lock)', () => {
    for (const lock of [ctx.Lock(), ctx.RLock()]) {
      expect(ctx.Value('i', 5, { lock }).getLock()).toBe(lock);
      expect(new ctx.Value('i', 5, { lock }).getLock()).toBe(lock);
      expect(ctx.Array('i', [1, 2], { lock }).getLock()).toBe(lock);
      expect(new ctx.SharedArray('i', 2, { lock }).getLock()).toBe(lock);
    }
  });

  it('a thread Lock (or anything else) as { lock } is a ValidationError naming ctx.Lock()', () => {
    for (const bad of [new Lock(), ctx.Semaphore(), 1]) {
      expect(() => ctx.Value('i', 0, { lock: bad as never })).toThrow(ValidationError);
      expect(() => ctx.Array('i', 1, { lock: bad as never })).toThrow(
        /Lock\(\)\/RLock\(\) of getContext\('process'\)/,
      );
    }
  });

  it('getObj() is the same value or array without its lock, here and in a child (Python: get_obj())', {
    timeout: 60_000,
  }, async () => {
    const v = ctx.Value('i', 0);
    const raw = v.getObj();
    expect('getLock' in raw).toBe(false);
    expect(raw).toBeInstanceOf(ctx.Value);
    await raw.set(5);
    expect(await v.get()).toBe(5);
    const ps = [0, 1].map(() => start(lockTasks.incrementObjUnderGetLock, [v, 40]));
    for (const p of ps) await p.join();
    expect(ps.map((p) => p.exitCode)).toEqual([0, 0]);
    expect(await v.get()).toBe(85);
    const a = ctx.Array('i', [1, 2, 3]);
    const rawArray = a.getObj();
    expect('getLock' in rawArray).toBe(false);
    await rawArray.set(0, 7);
    expect(await a.copy()).toEqual([7, 2, 3]);
  });

  it("get_lock, Python's spelling, names getLock()", () => {
    expect(() => (ctx.Value('i', 0) as unknown as { get_lock: unknown }).get_lock).toThrow(/getLock\(\)/);
    expect(() => (ctx.Array('i', 1) as unknown as { get_obj: unknown }).get_obj).toThrow(/getObj\(\)/);
  });
});
