// Python's `lock.acquire()` blocks; ported without `await` it returns a pending Promise, the code
// meant to be guarded runs unlocked, and the release after it fails. That failure must name the
// missing `await`, not say "Call acquire() first" to a program that did call it.
import { BoundedSemaphore, Event, Lock, LockError, RLock } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

/** Blocks this thread (no event-loop turn, so a pending acquire cannot run) until `free()`, at most 5 s. */
function spinUntil(free: () => boolean): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 5000;
  while (!free()) {
    if (Date.now() > deadline) throw new Error('the worker did not release in 5 s');
    Atomics.wait(nap, 0, 0, 1);
  }
}

function releaseError(release: () => void): LockError {
  try {
    release();
  } catch (error) {
    if (error instanceof LockError) return error;
    throw error;
  }
  throw new Error('release() did not throw');
}

describe('a release() while this thread acquire() still waits names the missing await', () => {
  it('Lock: a worker held it, this thread did not await acquire(), the worker released', async () => {
    const lock = new Lock();
    const release = new Event();
    const w = startWorker('hold-lock', { lock, release });
    await nextMessage(w); // the worker holds it
    const pending = lock.acquire(); // the Python habit: no await
    release.set();
    spinUntil(() => !lock.locked());
    const error = releaseError(() => lock.release());
    expect(error.code).toBe('MP_LOCK');
    expect(error.message).toMatch(/await lock\.acquire\(\)/);
    expect(await pending).toBe(true); // nothing was damaged: the acquire still completes
    lock.release();
    expect(lock.locked()).toBe(false);
  }, 10_000);

  it('RLock: released by this thread while a worker holds it and this acquire() waits', async () => {
    const lock = new RLock();
    const release = new Event();
    const w = startWorker('hold-lock', { lock, release });
    await nextMessage(w);
    const pending = lock.acquire();
    const error = releaseError(() => lock.release());
    expect(error.code).toBe('MP_LOCK');
    expect(error.message).toMatch(/await lock\.acquire\(\)/);
    release.set();
    expect(await pending).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  }, 10_000);

  it('BoundedSemaphore: released past its value while this acquire() waits', async () => {
    const sem = new BoundedSemaphore(1);
    const release = new Event();
    const w = startWorker('hold-lock', { lock: sem, release });
    await nextMessage(w);
    const pending = sem.acquire();
    release.set();
    spinUntil(() => sem.getValue() === 1);
    const error = releaseError(() => sem.release());
    expect(error.code).toBe('MP_LOCK');
    expect(error.message).toMatch(/await sem\.acquire\(\)/);
    expect(await pending).toBe(true);
    sem.release();
    expect(sem.getValue()).toBe(1);
  }, 10_000);

  it('Lock: a hold another thread released says so to the thread that held it', async () => {
    const lock = new Lock();
    lock.acquireSync();
    const w = startWorker('release-other', { lock });
    expect(await nextMessage(w)).toBe('released');
    const error = releaseError(() => lock.release());
    expect(error.code).toBe('MP_LOCK');
    expect(error.message).toMatch(/another thread released it meanwhile.*`await`/);
  }, 10_000);

  it('says nothing of this thread waiting when no acquire() of it waits', () => {
    const lock = new Lock();
    const message = releaseError(() => lock.release()).message;
    expect(message).not.toMatch(/made in this thread is still waiting/);
    expect(message).toMatch(/another thread released it meanwhile/);
    const r = new RLock();
    expect(releaseError(() => r.release()).message).not.toMatch(/still waiting/);
  });
});
