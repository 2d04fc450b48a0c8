// A manager Condition's wait() releases every level of its lock this thread holds until it
// answers: a release() made meanwhile by another async function of the thread (an RLock's owner
// is the thread) fails that caller, as a thread Condition's does, and is not pipelined to fail
// the thread's next call of the lock instead (MP_LATE_RELEASE). Real manager process.
import { LockError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const { cleanup, manager } = managerTestKit();

/** Collects the process warnings emitted while the test runs. */
function warnings(): Error[] {
  const seen: Error[] = [];
  const on = (w: Error) => seen.push(w);
  process.on('warning', on);
  cleanup.push(() => process.off('warning', on));
  return seen;
}

describe("a release while the thread's Condition.wait() is out", () => {
  it('fails its own caller at once, not the next acquire()', { timeout: 15_000 }, async () => {
    const m = await manager();
    const seen = warnings();
    const cond = m.Condition(); // over an RLock
    await cond.acquire();
    await cond.acquire(); // a second async function of this thread re-enters (depth 2)
    const waited = cond.wait(5000); // releases both levels while it waits
    let thrown: unknown;
    try {
      await cond.release(); // the other function's release: the lock is not held now
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LockError);
    // The producer's calls are its own: none is failed by the release above.
    await cond.acquire();
    await cond.notifyAll();
    await cond.release();
    expect(await waited).toBe(true);
    // The wait took both levels back: two releases succeed, a third fails at once.
    await cond.release();
    await cond.release();
    expect(() => cond.release()).toThrow(LockError);
    expect(await cond.acquire({ block: false })).toBe(true);
    await cond.release();
    await new Promise((r) => setTimeout(r, 50)); // a late failure's warning would be out by now
    expect(seen.filter((w) => (w as { code?: string }).code === 'MP_LATE_RELEASE')).toEqual([]);
  });

  it('a wait the manager refuses gives nothing back', { timeout: 15_000 }, async () => {
    const m = await manager();
    const cond = m.Condition();
    await expect(cond.wait(100)).rejects.toBeInstanceOf(LockError);
    expect(() => cond.release()).toThrow(LockError);
    await cond.acquire();
    expect(await cond.wait(20)).toBe(false); // timed out, held again
    await cond.release();
    expect(() => cond.release()).toThrow(LockError);
  });
});
