// bbW: acquires of an RLock by async functions of its owning thread each count, as Python counts
// every acquire by the owner. An acquire() took the lock at once but set its depth to 1 only after
// its await, overwriting a re-entry made in between: two concurrent acquire() calls counted one,
// the second release() threw LockError, and a worker got into the critical section while an async
// function of the main thread was still in it.
import { Barrier, Condition, Event, encodeValue, Lock, LockError, RLock, Value } from '@multiproc/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

const held = (n: number) => (n === 0 ? '<RLock(None, 0)>' : `<RLock(MainProcess, ${n})>`);

describe('RLock: every acquire by the owning thread counts, async ones too', () => {
  it('two concurrent acquire() count two, and need two releases', async () => {
    const r = new RLock();
    expect(await Promise.all([r.acquire(), r.acquire()])).toEqual([true, true]);
    expect(String(r)).toBe(held(2));
    r.release();
    expect(String(r)).toBe(held(1));
    r.release();
    expect(() => r.release()).toThrow(LockError);
  });

  it("a release past the thread's acquires says the async functions of one thread share an RLock", async () => {
    // The shared-memory guide's consumers, written with new Condition() (an RLock) instead of
    // new Condition(new Lock()): every consumer gets in, and a release fails. Its error said only
    // "Cannot release an RLock that nobody holds", from a withLock() that had acquired it.
    const cond = new Condition();
    const items: number[] = [];
    async function consume() {
      await cond.acquire();
      try {
        await cond.waitFor(() => items.length > 0, 2000);
        return items.shift();
      } finally {
        cond.release();
      }
    }
    const consumers = Promise.allSettled([consume(), consume()]);
    const producer = await cond
      .withLock(() => {
        items.push(1, 2);
        cond.notifyAll();
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const errors = [
      producer,
      ...(await consumers).map((r) => (r.status === 'rejected' ? r.reason : undefined)),
    ];
    const released = errors.filter((e) => e instanceof LockError && /nobody holds/.test(e.message));
    expect(released.length).toBeGreaterThan(0);
    for (const e of released)
      expect((e as Error).message).toMatch(/async functions of one thread .*new Condition\(new Lock\(\)\)/);
    expect(() => new RLock().release()).toThrow(/new Condition\(new Lock\(\)\)/);
  });

  it('acquire() then acquireSync() before the await count two', async () => {
    const r = new RLock();
    const p = r.acquire();
    expect(r.acquireSync()).toBe(true);
    expect(await p).toBe(true);
    expect(String(r)).toBe(held(2));
    r.release();
    r.release();
    expect(r.locked()).toBe(false);
  });

  it('while another thread holds it: two waiting acquire() count two once it is free', async () => {
    const r = new RLock();
    const release = new Event();
    const w = startWorker('hold-lock', { lock: r, release });
    await nextMessage(w);
    const both = Promise.all([r.acquire({ timeout: 10_000 }), r.acquire({ timeout: 10_000 })]);
    release.set();
    expect(await both).toEqual([true, true]);
    expect(String(r)).toBe(held(2));
    r.release();
    r.release();
    expect(r.locked()).toBe(false);
  });

  it('an acquire() waiting while acquireSync() takes it for this thread re-enters (no self-deadlock)', async () => {
    const r = new RLock();
    const release = new Event();
    const w = startWorker('hold-lock', { lock: r, release });
    await nextMessage(w);
    const p = r.acquire({ timeout: 5_000 }); // waits: the worker holds it
    release.set();
    const t0 = performance.now();
    expect(r.acquireSync({ timeout: 10_000 })).toBe(true); // this thread holds it now
    expect(performance.now() - t0).toBeLessThan(1_500); // not when the wait's time is up
    expect(await p).toBe(true); // so the waiting acquire() re-enters instead of waiting for itself
    expect(String(r)).toBe(held(2));
    r.release();
    r.release();
    expect(r.locked()).toBe(false);
  });

  it('async withLock() sections of the main thread and a worker thread never overlap', async () => {
    const r = new RLock();
    const value = new Value('i', 0, { lock: r });
    const start = new Barrier(2);
    const w = startWorker('increment', { value, iterations: 20_000, locked: true, start });
    await start.wait(10_000);
    const job = async () => {
      for (let i = 0; i < 300; i++) {
        await r.withLock(async () => {
          value.value += 1;
          await new Promise((s) => setTimeout(s, 0));
        });
      }
    };
    await Promise.all([job(), job()]);
    expect(await nextMessage(w)).toBe('done');
    expect(value.value).toBe(20_600);
    expect(r.locked()).toBe(false);
  }, 60_000);

  it('any mix of acquire(), acquireSync(), tryAcquire() and release() keeps the model depth at every step', async () => {
    type Op = 'acquire' | 'acquireSync' | 'tryAcquire' | 'release' | 'tick';
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Op>('acquire', 'acquireSync', 'tryAcquire', 'release', 'release', 'tick'), {
          maxLength: 30,
        }),
        async (ops) => {
          const r = new RLock();
          const pending: Promise<boolean>[] = [];
          let depth = 0;
          for (const op of ops) {
            if (op === 'tick') await new Promise((s) => setImmediate(s));
            else if (op === 'release') {
              if (depth === 0) expect(() => r.release()).toThrow(LockError);
              else {
                r.release();
                depth--;
              }
            } else {
              if (op === 'acquire') pending.push(r.acquire());
              else expect(r[op]()).toBe(true);
              depth++;
            }
            expect(String(r)).toBe(held(depth));
          }
          expect(await Promise.all(pending)).toEqual(pending.map(() => true));
          expect(String(r)).toBe(held(depth));
        },
      ),
      { numRuns: 200, seed: 22 },
    );
  });

  // A waiter that has waited a while reserves the next release for its thread (the lock's
  // hand-off names the thread, not the waiter). With that waiter an async acquire() of this
  // thread, the hand-off went to it, which cannot run while acquireSync() blocks the thread:
  // acquireSync() slept out its whole timeout with the lock handed to its own thread.
  it.each([
    ['Lock', () => new Lock()],
    ['RLock', () => new RLock()],
  ] as const)(
    '%s: acquireSync() takes a hand-off reserved by an async acquire() of this thread',
    async (_, make) => {
      const lock = make();
      const release = new Event();
      const w = startWorker('hold-lock', { lock, release });
      await nextMessage(w);
      const p = lock.acquire({ timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 20));
      // A spurious wake-up (as a futex may give): the async acquire looks again and, having waited
      // 20 ms, reserves the next release.
      const { value } = encodeValue(lock, 'thread') as unknown as { value: { data: SharedArrayBuffer } };
      Atomics.notify(new Int32Array(value.data), 0);
      await new Promise((r) => setTimeout(r, 20));
      release.set();
      const t0 = performance.now();
      expect(lock.acquireSync({ timeout: 3_000 })).toBe(true);
      expect(performance.now() - t0).toBeLessThan(1_500);
      lock.release();
      expect(await p).toBe(true);
      lock.release();
      expect(lock.locked()).toBe(false);
    },
  );
});
