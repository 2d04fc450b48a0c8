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

  // multiprocessing's wait_for asks the predicate, then starts the clock: however slow the
  // predicate or the machine, a positive timeout gets its wait, and a predicate that stays falsy is
  // asked twice (once for a timeout of 0 or less, which does not wait).
  describe("Condition.waitFor(pred, ms) and waitForSync: as Python's wait_for", () => {
    const slowFalse = (spinMs: number, counter: { calls: number }) => () => {
      counter.calls++;
      const end = performance.now() + spinMs;
      while (performance.now() < end);
      return 0;
    };
    it.each([...TIMEOUTS, 0, -1])(
      'a predicate that stays falsy is asked twice (timeout %s; 0 or less: once)',
      async (ms) => {
        const cond = await heldCondition();
        const async = { calls: 0 };
        expect(await cond.waitFor(slowFalse(0, async), ms)).toBe(0);
        const sync = { calls: 0 };
        expect(cond.waitForSync(slowFalse(0, sync), ms)).toBe(0);
        const asked = ms > 0 ? 2 : 1;
        expect([async.calls, sync.calls]).toEqual([asked, asked]);
        cond.release();
      },
    );

    it('the timeout counts from the first answer: a predicate slower than it still gets its wait', async () => {
      const cond = await heldCondition();
      for (const wait of [
        (p: () => number) => cond.waitFor(p, 5),
        (p: () => number) => cond.waitForSync(p, 5),
      ]) {
        const counter = { calls: 0 };
        let answered = 0;
        const predicate = slowFalse(20, counter);
        const timed = () => {
          const v = predicate();
          answered ||= performance.now();
          return v;
        };
        await wait(timed);
        expect(counter.calls).toBe(2);
        // The second answer came at least 5 ms after the first one ended (it spun 20 ms itself).
        expect(performance.now() - answered).toBeGreaterThanOrEqual(5 + 20);
      }
      cond.release();
    });
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
