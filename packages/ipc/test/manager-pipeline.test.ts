// A manager lock's release() is pipelined when this thread or process holds the lock by its own
// count: these tests hold it to Python's guarantees with real processes (owner death, process.exit
// right after a release, a release then a signal on another channel, a release that another
// process made fail, a manager that is gone).
import { LockError, Manager, ManagerClosedError, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { isSettled, managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/pipeline-tasks.mjs', import.meta.url).href);

const { cleanup, manager, start } = managerTestKit();

describe.each(matrix(import.meta.url))('pipelined release (%s)', (context) => {
  it('a killed owner releases what it held after pipelined pairs', { timeout: 20_000 }, async () => {
    const m = await manager();
    const prims = [m.Lock(), m.RLock(), m.Semaphore(1)];
    const said = new Queue<string>();
    const p = start(tasks.pairsThenHold, [prims, said, 50], context);
    expect(await said.get()).toBe('held');
    for (const prim of prims) expect(await prim.tryAcquire()).toBe(false);
    p.kill();
    for (const prim of prims) {
      expect(await prim.acquire(10_000)).toBe(true);
      await prim.release();
    }
  });

  it('a release signalled on another channel is seen by a non-blocking acquire', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const go = new Queue<number>();
    const said = new Queue<string>();
    const rounds = 20;
    const p = start(tasks.releaseThenSignal, [lock, go, said, rounds], context);
    for (let i = 0; i < rounds; i++) {
      await go.put(i);
      expect(await said.get()).toBe('released'); // the child's release() was already settled
      expect(await lock.acquire({ block: false })).toBe(true);
      expect(await isSettled(lock.release())).toBe(true); // held here: pipelined too
    }
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('a release right before process.exit() takes effect', { timeout: 20_000 }, async () => {
    const m = await manager();
    const prims = [m.Lock(), m.RLock(), m.BoundedSemaphore(2)];
    const p = start(tasks.releaseThenExit, [prims], context);
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await prims[0]!.locked()).toBe(false);
    expect(await prims[1]!.locked()).toBe(false);
    expect(await (prims[2] as ReturnType<Manager['Semaphore']>).getValue()).toBe(2);
  });

  it('a pipelined release that fails rejects the next call and warns', { timeout: 20_000 }, async () => {
    const m = await manager();
    for (const prim of [m.Lock(), m.BoundedSemaphore(1)]) {
      expect(await prim.acquire()).toBe(true);
      const p = start(tasks.releaseForeign, [prim], context);
      await p.join();
      expect(p.exitCode).toBe(0);
      const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
      // Held by this thread's count, so not waited for; the manager finds it already released.
      expect(await isSettled(prim.release())).toBe(true);
      const err = await prim.locked().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LockError);
      expect(err).toMatchObject({ code: 'MP_LOCK' });
      expect(await warned).toMatchObject({ code: 'MP_LATE_RELEASE' });
      expect(await prim.locked()).toBe(false); // reported once; the proxy works on
      await expect(prim.release()).rejects.toBeInstanceOf(LockError); // not held: a round trip
    }
  });

  it('a holder whose manager is gone gets ManagerClosedError, never a hang', {
    timeout: 20_000,
  }, async () => {
    const m = await Manager.start();
    const lock = m.Lock();
    const said = new Queue<string>();
    const go = new Queue<number>();
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    const result = pool.apply(tasks.holdUntilGone, [lock, said, go]);
    expect(await said.get()).toBe('held');
    await m.shutdown();
    await go.put(1);
    const [release, next] = await result;
    expect(['ok', 'MP_MANAGER_CLOSED']).toContain(release);
    expect(next).toBe('MP_MANAGER_CLOSED');
  });
});

describe('pipelined release in one thread', () => {
  it('settles at once when held, and later calls run after it', { timeout: 10_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    await lock.acquire();
    const released = lock.release();
    expect(await isSettled(released)).toBe(true);
    expect(await lock.tryAcquire()).toBe(true);
    lock.release(); // as with a thread Lock: no await needed
    expect(await lock.locked()).toBe(false);
    expect(() => lock.release()).toThrow(LockError); // not held, never sent: known here
  });

  it('after shutdown a held release does not hang and the next call rejects', {
    timeout: 10_000,
  }, async () => {
    const m = await Manager.start();
    const lock = m.RLock();
    await lock.acquire();
    await m.shutdown();
    await lock.release().catch((e: unknown) => expect(e).toBeInstanceOf(ManagerClosedError));
    await expect(lock.acquire()).rejects.toBeInstanceOf(ManagerClosedError);
  });
});
