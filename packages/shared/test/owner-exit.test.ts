// A thread that ends by itself (an uncaught error, an unhandled rejection, process.exit()) gives
// back what it held at its own exit, as its host would on seeing that exit: the host may be the
// one waiting for it, asleep in acquireSync(), with its event loop stopped until the wait ends.
// Before, such a host slept until its timeout (or for ever without one). The host here never
// yields between the worker's report and its wait, so nothing but the dying thread can wake it.
import { once } from 'node:events';
import { Lock, RLock, Semaphore } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

// A bound on a wait that must end well before it, not a timing: a worker can be slow to start.
const WAIT_MS = 10_000;

const kinds = {
  lock: () => new Lock(),
  rlock: () => new RLock(),
  semaphore: () => new Semaphore(1),
} as const;

describe('a thread that ends by itself while its host blocks in acquireSync()', { timeout: 60_000 }, () => {
  it.each(['throw', 'reject', 'exit'] as const)('failed (%s): each share is taken at once', async (how) => {
    for (const [kind, make] of Object.entries(kinds)) {
      const held = make();
      const w = startWorker('die-by-itself', { kind, held, how });
      await nextMessage(w);
      // No await until the wait is over: this thread's event loop does not run meanwhile.
      expect(held.acquireSync(WAIT_MS), `${kind} after ${how}`).toBe(true);
      if (kind !== 'semaphore') expect((held as Lock | RLock).abandoned, kind).toBe(true);
      held.release();
    }
  });

  it('ended normally: an RLock comes back at once; a Lock stays held, as in Python', async () => {
    const rlock = new RLock();
    const w = startWorker('die-by-itself', { kind: 'rlock', held: rlock, how: 'return' });
    await nextMessage(w);
    expect(rlock.acquireSync(WAIT_MS)).toBe(true);
    rlock.release();
    const lock = new Lock();
    const w2 = startWorker('die-by-itself', { kind: 'lock', held: lock, how: 'return' });
    // Listened for before its report is awaited: a host whose loop was busy while the thread
    // reported and ended gets both at once (Node drains the report, then emits 'exit' in the same
    // turn, before the code after `await nextMessage()` runs).
    const exited = once(w2, 'exit');
    await nextMessage(w2);
    const [code] = await exited;
    expect(code).toBe(0);
    expect(lock.tryAcquire()).toBe(false);
  });
});
