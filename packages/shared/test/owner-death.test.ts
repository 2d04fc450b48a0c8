// Owner-death recovery: a thread that dies holding a share of a primitive (permits, a condition's
// lock, a place among a condition's waiters or a barrier's parties) does not block the others.
// multiproc calls abandonOwner() itself for the workers it starts (see core's tests); here the
// test plays the host.
import {
  abandonOwner,
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Lock,
  ownerIdOfThread,
  Semaphore,
  ValidationError,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

/** Starts die-holding.mjs, waits until it holds its share, then terminates it; returns its id. */
async function dieHolding(data: Record<string, unknown>): Promise<number> {
  const w = startWorker('die-holding', data);
  const id = ownerIdOfThread(w.threadId);
  const { ownerId } = await nextMessage<{ ownerId: number }>(w);
  expect(ownerId).toBe(id);
  return id;
}

async function terminated(data: Record<string, unknown>, until?: () => boolean): Promise<number> {
  const w = startWorker('die-holding', data);
  const id = ownerIdOfThread(w.threadId);
  await nextMessage(w);
  while (until && !until()) await new Promise((r) => setImmediate(r));
  await w.terminate();
  return id;
}

// Bounded, not timed: a worker can take many seconds to start on a loaded 2-core machine.
describe('owner death', { timeout: 60_000 }, () => {
  it("ownerIdOfThread(worker.threadId) is the worker's getOwnerId()", async () => {
    await dieHolding({ kind: 'semaphore', sem: new Semaphore(1), permits: 0 });
    expect(() => ownerIdOfThread(-1)).toThrow(ValidationError);
  });

  it('gives back the permits a dead thread took from a Semaphore', async () => {
    const sem = new Semaphore(3);
    const id = await terminated({ kind: 'semaphore', sem, permits: 2 });
    expect(sem.getValue()).toBe(1);
    const waiting = Promise.all([sem.acquire(10_000), sem.acquire(10_000)]);
    expect(abandonOwner(id)).toBe(1);
    expect(await waiting).toEqual([true, true]);
    expect(abandonOwner(id)).toBe(0);
  });

  it('never raises a semaphore above its initial value (a permit released for the dead thread)', async () => {
    const sem = new BoundedSemaphore(2);
    const id = await terminated({ kind: 'semaphore', sem, permits: 1 });
    sem.release(); // another thread gave the permit back on its behalf
    expect(abandonOwner(id)).toBe(1);
    expect(sem.getValue()).toBe(2);
    // A Semaphore(0) used as a signal: what the dead consumer took was never "held".
    const signal = new Semaphore(0);
    signal.release(2);
    const consumer = await terminated({ kind: 'semaphore', sem: signal, permits: 2 });
    abandonOwner(consumer);
    expect(signal.getValue()).toBe(0);
  });

  it("recovers a Condition whose lock the dead thread held; the next owner sees 'abandoned'", async () => {
    const cond = new Condition(new Lock());
    const id = await terminated({ kind: 'condition-lock', cond });
    const acquiring = cond.acquire(10_000);
    abandonOwner(id);
    expect(await acquiring).toBe(true);
    expect((cond.lock as Lock).abandoned).toBe(true);
    cond.release();
  });

  it('stops counting a dead waiter, so a later notify wakes nobody who is not waiting', async () => {
    const cond = new Condition();
    const id = await terminated({ kind: 'condition-wait', cond }, () => !cond.lock.locked());
    expect(abandonOwner(id)).toBeGreaterThanOrEqual(1);
    await cond.acquire();
    cond.notify(); // nobody alive waits: no wake-up may be left over for the next wait()
    expect(await cond.wait(20)).toBe(false);
    cond.release();
  });

  it('a party that dies at a Barrier breaks it for the others, and reset() makes it usable again', async () => {
    const bar = new Barrier(3);
    const id = await terminated({ kind: 'barrier', bar });
    const mine = bar.wait(10_000);
    expect(bar.nWaiting).toBe(2);
    expect(abandonOwner(id)).toBe(1);
    await expect(mine).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(bar.broken).toBe(true);
    bar.reset();
    expect((await Promise.all([bar.wait(), bar.wait(), bar.wait()])).sort()).toEqual([0, 1, 2]);
  });

  it('a dead party that had arrived in a cycle that was then released breaks nothing', async () => {
    const bar = new Barrier(2);
    const id = await terminated({ kind: 'barrier', bar });
    expect(await bar.wait(10_000)).toBe(1); // the dead party had arrived: the cycle completes
    expect(abandonOwner(id)).toBe(0);
    expect(bar.broken).toBe(false);
  });
});
