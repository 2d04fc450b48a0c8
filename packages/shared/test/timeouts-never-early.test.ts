// A timeout given to any wait is a lower bound on `performance.now()`'s clock: the wait never gives
// up before that many ms have passed. Node's timers and `Atomics.waitAsync` may end up to about
// 1 ms early on that clock (a fractional delay is cut to whole ms; libuv counts whole ms from the
// start of the loop's turn), which a test measuring `elapsed >= timeout` caught, and so did
// `Condition.waitFor(pred, 10)` calling its predicate 8 times where Python calls it twice.
import {
  Barrier,
  BoundedSemaphore,
  ByteChannel,
  Condition,
  Event,
  Lock,
  RLock,
  Semaphore,
  setTimeoutAtLeast,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { shortfalls, TIMEOUTS } from '../../../test-support/shortfalls.ts';

const held = () => {
  const lock = new Lock();
  lock.acquireSync();
  return lock;
};
const heldCondition = async () => {
  const cond = new Condition();
  await cond.acquire();
  return cond;
};
const cases: Record<string, (ms: number) => unknown> = {
  'Event.wait(ms)': (ms) => new Event().wait(ms),
  'Event.waitSync(ms)': (ms) => new Event().waitSync(ms),
  'Lock.acquire({ timeout })': (ms) => held().acquire({ timeout: ms }),
  'Lock.acquire(ms)': (ms) => held().acquire(ms),
  'Lock.acquireSync({ timeout })': (ms) => held().acquireSync({ timeout: ms }),
  'Condition(RLock).wait(ms)': async (ms) => {
    const cond = new Condition(new RLock());
    await cond.acquire();
    return cond.wait(ms);
  },
  'Semaphore(0).acquire({ timeout })': (ms) => new Semaphore(0).acquire({ timeout: ms }),
  'BoundedSemaphore.acquireSync({ timeout })': (ms) => {
    const s = new BoundedSemaphore(1);
    s.acquireSync();
    return s.acquireSync({ timeout: ms });
  },
  'Condition.wait(ms)': async (ms) => (await heldCondition()).wait(ms),
  'Condition.waitSync(ms)': async (ms) => (await heldCondition()).waitSync(ms),
  'Condition.waitFor(pred, ms)': async (ms) => (await heldCondition()).waitFor(() => false, ms),
  'Condition.waitForSync(pred, ms)': async (ms) => (await heldCondition()).waitForSync(() => false, ms),
  'Barrier.wait(ms)': (ms) => new Barrier(2).wait(ms),
  'Barrier({ timeout }).wait()': (ms) => new Barrier(2, { timeout: ms }).wait(),
  'Barrier.waitSync(ms)': (ms) => new Barrier(2).waitSync(ms),
  'ByteChannel.read(ms)': (ms) => new ByteChannel().read(ms),
  'ByteChannel.readSync(ms)': (ms) => new ByteChannel().readSync(ms),
  'ByteChannel.write(ms), full': async (ms) => {
    const ch = new ByteChannel({ capacity: 1024 });
    while (ch.tryWrite(new Uint8Array(100)));
    return ch.write(new Uint8Array(100), ms);
  },
};

describe('a timeout is never cut short (performance.now())', () => {
  it.each(Object.keys(cases))('%s', async (name) => {
    expect(await shortfalls(cases[name]!, ['BrokenBarrierError', 'TimeoutError'])).toEqual([]);
  });

  it("Condition.waitFor(pred, ms) calls a predicate that stays false twice, as Python's wait_for", async () => {
    const cond = await heldCondition();
    for (const ms of TIMEOUTS) {
      let calls = 0;
      expect(await cond.waitFor(() => (calls++, 0), ms)).toBe(0);
      expect(calls).toBe(2);
    }
    cond.release();
  });
});

describe('setTimeoutAtLeast (the timer behind the other packages\u2019 timeouts)', () => {
  const after = (ms: number) =>
    new Promise<number>((resolve) => {
      const t0 = performance.now();
      setTimeoutAtLeast(() => resolve(performance.now() - t0), ms);
    });

  it('fires once at least its delay has passed, fractional ones too', async () => {
    for (const ms of [...TIMEOUTS, ...TIMEOUTS, 0]) expect(await after(ms)).toBeGreaterThanOrEqual(ms);
  });

  it('clear() stops it; unref() and ref() return the timer', async () => {
    let fired = false;
    const t = setTimeoutAtLeast(() => (fired = true), 5);
    expect(t.unref()).toBe(t);
    expect(t.ref()).toBe(t);
    t.clear();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(false);
  });
});
