// Owner-death recovery: a thread that dies holding a share of a primitive (permits, a condition's
// lock, a place among a condition's waiters or a barrier's parties) does not block the others.
// A thread that ended normally keeps what Python lets any thread release (a Lock, semaphore
// permits), and gives back only what nobody else could (an RLock, a place among waiters).
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
  RLock,
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

  it('gives back no permit another thread took again after releasing it for the dead thread', async () => {
    for (const Kind of [Semaphore, BoundedSemaphore]) {
      // A semaphore has no owner: the main thread hands the worker's permit back, then takes it.
      const sem = new Kind(1);
      const id = await terminated({ kind: 'semaphore', sem, permits: 1 });
      sem.release();
      expect(sem.tryAcquire()).toBe(true);
      abandonOwner(id);
      // This thread still holds the only permit: giving it back would let a second one in.
      expect(sem.getValue(), Kind.name).toBe(0);
      expect(sem.tryAcquire()).toBe(false);
      sem.release(); // a BoundedSemaphore would refuse it had the permit come back twice
      expect(sem.getValue()).toBe(1);
      // Of two dead holders, one permit released for one of them and taken again: one comes back.
      const two = new Kind(2);
      const a = await terminated({ kind: 'semaphore', sem: two, permits: 1 });
      const b = await terminated({ kind: 'semaphore', sem: two, permits: 1 });
      two.release();
      expect(two.tryAcquire()).toBe(true);
      abandonOwner(a);
      abandonOwner(b);
      expect(two.getValue(), Kind.name).toBe(1);
      two.release();
      expect(two.getValue()).toBe(2);
    }
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

  it('a dead party that had arrived in a cycle that was then released: that cycle completes, the next one breaks', async () => {
    const bar = new Barrier(2);
    const id = await terminated({ kind: 'barrier', bar });
    expect(await bar.wait(10_000)).toBe(1); // the dead party had arrived: the cycle completes
    // The next cycle would wait for the dead party forever (a party killed in a wait() loop is
    // nearly always caught there: released, not yet out of wait()).
    expect(abandonOwner(id)).toBe(1);
    expect(bar.broken).toBe(true);
    await expect(bar.wait(10_000)).rejects.toBeInstanceOf(BrokenBarrierError);
  });

  it('a party that ended normally after its waits breaks nothing', async () => {
    const bar = new Barrier(2);
    const id = await terminated({ kind: 'barrier', bar });
    expect(await bar.wait(10_000)).toBe(1);
    expect(abandonOwner(id, { endedNormally: true })).toBe(0);
    expect(bar.broken).toBe(false);
  });

  it('ValidationError for an endedNormally that is not a boolean', () => {
    expect(() => abandonOwner(1, { endedNormally: 'yes' as never })).toThrow(ValidationError);
  });
});

describe('a thread that ended normally', { timeout: 60_000 }, () => {
  const normally = { endedNormally: true } as const;

  it('keeps a Lock it held (Python: a Lock has no owner); another thread releases it', async () => {
    const lock = new Lock();
    const id = await terminated({ kind: 'lock', lock });
    expect(abandonOwner(id, normally)).toBe(0);
    expect(lock.locked()).toBe(true);
    expect(lock.tryAcquire()).toBe(false);
    lock.release(); // the hand-off: main releases what the worker took
    expect(lock.tryAcquire()).toBe(true);
    expect(lock.abandoned).toBe(false);
    lock.release();
  });

  it.each([
    ['Semaphore', Semaphore],
    ['BoundedSemaphore', BoundedSemaphore],
  ] as const)('keeps the permits it took from a %s; another thread releases them', async (_, S) => {
    const sem = new S(3);
    const id = await terminated({ kind: 'semaphore', sem, permits: 2 });
    expect(abandonOwner(id, normally)).toBe(0);
    expect(sem.getValue()).toBe(1);
    sem.release(2); // no LockError: the permits were still taken
    expect(sem.getValue()).toBe(3);
    // Its row was freed: a later call for the same id finds nothing to give back.
    expect(abandonOwner(id)).toBe(0);
    expect(sem.getValue()).toBe(3);
  });

  it('still gives back an RLock (only its owner could release it), whole depth', async () => {
    const lock = new RLock();
    const id = await terminated({ kind: 'lock', lock, reentrant: true });
    const acquiring = lock.acquire(10_000);
    expect(abandonOwner(id, normally)).toBe(1);
    expect(await acquiring).toBe(true);
    expect(lock.abandoned).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it("keeps a Condition's plain Lock, gives back a Condition's RLock", async () => {
    const plain = new Condition(new Lock());
    const keeps = await terminated({ kind: 'condition-lock', cond: plain });
    abandonOwner(keeps, normally);
    expect(plain.lock.locked()).toBe(true);
    plain.lock.release();
    expect(await plain.acquire(10_000)).toBe(true);
    plain.release();
    const owned = new Condition();
    const gives = await terminated({ kind: 'condition-lock', cond: owned });
    expect(abandonOwner(gives, normally)).toBe(1);
    expect(await owned.acquire(10_000)).toBe(true);
    expect((owned.lock as RLock).abandoned).toBe(true);
    owned.release();
  });

  it("still stops counting it among a Condition's waiters", async () => {
    const cond = new Condition(new Lock());
    const id = await terminated({ kind: 'condition-wait', cond }, () => !cond.lock.locked());
    expect(abandonOwner(id, normally)).toBe(1);
    await cond.acquire();
    cond.notify(); // nobody alive waits: no wake-up may be left over for the next wait()
    expect(await cond.wait(20)).toBe(false);
    cond.release();
  });

  it('still breaks a Barrier it waited at', async () => {
    const bar = new Barrier(3);
    const id = await terminated({ kind: 'barrier', bar });
    const mine = bar.wait(10_000);
    expect(abandonOwner(id, normally)).toBe(1);
    await expect(mine).rejects.toBeInstanceOf(BrokenBarrierError);
  });
});
