// A manager lock's release() throws LockError at once when this thread or process knows it fails
// (as a thread Lock's does): an RLock it does not hold, a plain Lock or BoundedSemaphore nobody
// else can reach (never sent) that it does not hold, a free leased Lock. When only the manager
// can tell (a plain Lock sent elsewhere may be held, and released, by another process, as Python
// allows), the promise settles with the manager's answer. Real threads and processes.
import { LockError, ManagerClosedError, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/release-known-tasks.mjs', import.meta.url).href);

const { cleanup, manager, start } = managerTestKit();

/** What a call does synchronously: 'threw <code>', or 'returned' a promise. */
function syncOutcome(call: () => unknown): string {
  try {
    const p = call() as Promise<unknown>;
    p.catch(() => {}); // judged by the callers that await it
    return 'returned';
  } catch (e) {
    return `threw ${(e as LockError).code}`;
  }
}

describe('release() known to fail, in this thread', () => {
  it('throws LockError at once for a Lock, RLock and BoundedSemaphore never acquired or sent', {
    timeout: 10_000,
  }, async () => {
    const m = await manager();
    for (const prim of [m.Lock(), m.RLock(), m.BoundedSemaphore(2)]) {
      expect(() => prim.release()).toThrow(LockError);
    }
    const sem = m.BoundedSemaphore(2);
    await sem.acquire();
    await sem.release(); // held: fine
    expect(() => sem.release(2)).toThrow(LockError); // past its initial value
    expect(await sem.getValue()).toBe(2);
  });

  it('leaves no unhandled rejection behind a try/catch around release()', { timeout: 10_000 }, async () => {
    const m = await manager();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    cleanup.push(() => process.off('unhandledRejection', onUnhandled));
    let caught: unknown;
    try {
      m.Lock().release();
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'MP_LOCK' });
    await new Promise((r) => setTimeout(r, 50)); // lets a stray rejection surface
    expect(unhandled).toEqual([]);
  });

  it('waits for the answer while an acquire of the lock is on its way', { timeout: 10_000 }, async () => {
    const m = await manager();
    const r = m.RLock();
    const acquired = r.acquire();
    const released = r.release(); // the acquire is not answered yet: the manager runs both in order
    expect(await acquired).toBe(true);
    await expect(released).resolves.toBeUndefined();
    expect(await r.locked()).toBe(false);
  });

  it("counts a Condition's holds as its lock's", { timeout: 10_000 }, async () => {
    const m = await manager();
    for (const lock of [m.Lock(), m.RLock()]) {
      const cond = m.Condition(lock);
      await cond.acquire();
      await lock.release(); // held through the Condition: a release of the same lock
      expect(await lock.locked()).toBe(false);
      expect(() => cond.release()).toThrow(LockError);
      await lock.acquire();
      await cond.release();
      expect(await lock.locked()).toBe(false);
    }
    const own = m.Condition();
    expect(() => own.release()).toThrow(LockError); // its RLock is not held here
    await own.acquire();
    await own.release();
  });

  it('rejects with ManagerClosedError, not LockError, once the manager is gone', {
    timeout: 10_000,
  }, async () => {
    const m = await manager();
    const r = m.RLock();
    await r.acquire();
    await m.shutdown();
    for (let i = 0; i < 2; i++) {
      let released!: Promise<void>;
      expect(syncOutcome(() => (released = r.release()))).toBe('returned');
      await expect(released).rejects.toBeInstanceOf(ManagerClosedError);
    }
  });
});

describe.each(matrix(import.meta.url))('release() of a lock another %s uses', (context) => {
  it('lets a plain Lock held elsewhere be released here, as Python does', { timeout: 20_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const [said, go] = [new Queue<string>(), new Queue<string>()];
    const p = start(tasks.holdThenWait, [lock, said, go], context);
    expect(await said.get()).toBe('held');
    expect(syncOutcome(() => lock.release())).toBe('returned');
    expect(await lock.locked()).toBe(false);
    await go.put('end');
    await p.join();
  });

  it('rejects (not throws) for a sent plain Lock that nobody holds', { timeout: 20_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const [said, go] = [new Queue<string>(), new Queue<string>()];
    const p = start(tasks.holdThenWait, [lock, said, go], context);
    expect(await said.get()).toBe('held');
    await lock.release(); // allowed: held there
    let released!: Promise<void>;
    expect(syncOutcome(() => (released = lock.release()))).toBe('returned');
    await expect(released).rejects.toBeInstanceOf(LockError);
    await go.put('end');
    await p.join();
  });

  it('throws at once for an RLock held by the other side', { timeout: 20_000 }, async () => {
    const m = await manager();
    const r = m.RLock();
    const [said, go] = [new Queue<string>(), new Queue<string>()];
    const p = start(tasks.holdThenWait, [r, said, go], context);
    expect(await said.get()).toBe('held');
    expect(() => r.release()).toThrow(LockError);
    expect(await r.locked()).toBe(true);
    await go.put('end');
    await p.join();
  });

  it('throws at once in the child for a lock it never acquired there', { timeout: 20_000 }, async () => {
    const m = await manager();
    const pool = new (await import('./core.js')).core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    const r = m.RLock();
    await r.acquire(); // held here, not there
    expect(await pool.apply(tasks.releaseHere, [r])).toBe('threw MP_LOCK');
    expect(await r.locked()).toBe(true);
    await r.release();
    expect(await pool.apply(tasks.releaseHere, [m.Lock()])).toBe('rejected MP_LOCK'); // sent: asks
  });
});
