// A manager Condition's wait() re-takes the lock for its caller once woken. When the caller's
// connection ends meanwhile (its thread or process died), the lock must not end up held by that
// gone owner forever: it is given back like any manager lock of an owner that is gone.
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { ServedLock } from '../src/internal/manager/served-sync.js';
import { ServedCondition } from '../src/internal/manager/served-waits.js';
import { core } from './core.js';
import { isSettled, managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/manager-tasks.mjs', import.meta.url).href);
const { manager, start } = managerTestKit();

const [WAITER, OTHER] = [1, 2];
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the served Condition, with a woken waiter whose owner is gone before it re-takes the lock', () => {
  it.each([
    ['an RLock', () => undefined],
    ['a Lock', () => new ServedLock(false)],
  ])('over %s: the lock is free once the other owner releases it', async (_, lock) => {
    for (const endedNormally of [false, true]) {
      const cond = new ServedCondition(lock());
      expect(cond.acquire(WAITER, -1)).toBe(true);
      void cond.wait(WAITER, -1);
      expect(cond.acquire(OTHER, -1)).toBe(true);
      cond.notify(OTHER); // the waiter's re-take is now one microtask away…
      cond.ownerGone(WAITER, endedNormally); // …when its connection's end is read
      cond.release(OTHER);
      await turn();
      expect(cond.lock.count).toBe(0);
      expect(cond.acquire(OTHER, 0)).toBe(true);
    }
  });

  it('a waiter gone while it waits to re-take the lock never gets it', async () => {
    const cond = new ServedCondition(undefined);
    cond.acquire(WAITER, -1);
    void cond.wait(WAITER, -1);
    cond.acquire(OTHER, -1);
    cond.notify(OTHER);
    await turn(); // the waiter now waits for the lock, behind OTHER
    cond.ownerGone(WAITER, false);
    cond.release(OTHER);
    await turn();
    expect(cond.lock.count).toBe(0);
  });
});

describe.each(matrix(import.meta.url))(
  'a %s that dies in Condition.wait() leaves the lock free',
  (context) => {
    it.each([
      ['RLock', 'waiting'],
      ['RLock', 'notified'],
      ['RLock', 'timed out'],
      ['Lock', 'waiting'],
      ['Lock', 'notified'],
      ['Lock', 'timed out'],
    ])('over a %s, killed while %s', { timeout: 60_000 }, async (lockKind, when) => {
      const m = await manager();
      const cond = lockKind === 'RLock' ? m.Condition() : m.Condition(m.Lock());
      const ready = m.Event();
      const p = start(tasks.conditionWait, [cond, ready, when === 'timed out' ? 1 : undefined], context);
      await ready.wait();
      // Taken once the waiter's wait() gave it up; its own re-take then waits behind this one.
      expect(await cond.acquire(30_000)).toBe(true);
      if (when === 'notified') await cond.notify();
      p.kill();
      await p.join();
      await cond.release();
      expect(await cond.acquire(10_000)).toBe(true);
      await cond.release();
    });
  },
);

describe('a Condition waiter notified by another task of its own thread (a timer)', () => {
  it('re-takes the RLock only once the notifier released it: two releases for two acquires', async () => {
    const cond = new ServedCondition(undefined);
    cond.acquire(WAITER, -1);
    const woken = cond.wait(WAITER, -1);
    expect(cond.acquire(WAITER, -1)).toBe(true); // the timer: same owner, the lock is free
    cond.notifyAll(WAITER);
    await turn();
    expect(await isSettled(woken)).toBe(false); // the timer still holds it
    expect(cond.lock.count).toBe(1);
    cond.release(WAITER);
    expect(await woken).toBe(true);
    expect(cond.lock.count).toBe(1);
    cond.release(WAITER);
    expect(cond.lock.count).toBe(0);
  });

  it.each([
    ["getContext('process').Condition()", async () => core.getContext('process').Condition()],
    ['Manager().Condition()', async () => (await manager()).Condition()],
  ])(
    '%s: main waits, a timer acquires, notifies and releases; the lock ends free',
    { timeout: 30_000 },
    async (_, make) => {
      const cond = await make();
      await cond.acquire();
      const timer = new Promise<void>((resolve, reject) =>
        setTimeout(() => {
          (async () => {
            await cond.acquire();
            await cond.notifyAll();
            await cond.release();
          })().then(resolve, reject);
        }, 50),
      );
      expect(await cond.wait(20_000)).toBe(true);
      await cond.release();
      await timer;
      expect(await cond.acquire({ timeout: 0 })).toBe(true);
      await cond.release();
      expect(await cond.acquire({ timeout: 0 })).toBe(true); // no late release error came
      await cond.release();
    },
  );
});
