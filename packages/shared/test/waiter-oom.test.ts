// A party of a Barrier or a waiter of a Condition whose worker thread runs out of memory under
// `resourceLimits` runs no JavaScript at its end (owner-oom.test.ts has the same for a lock's holder),
// and a host blocked in waitSync() cannot see its 'exit'. On Linux the blocked wait looks between
// slices whether those threads still exist (internal/thread-roster.ts) and gives back their place as
// for a thread whose end was seen: the Barrier breaks (BrokenBarrierError at once, not at the
// timeout), the dead Condition waiter stops being counted. Event.waitSync() is not watched: nobody
// owns an Event, so a dead thread leaves nothing to give back (Python's wait() waits out its timeout).
import { Barrier, BrokenBarrierError, Condition } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

// A bound on a wait that must end well before it: a wait not woken ends only at its timeout.
const WAIT_MS = 10_000;
const LIMITS = { resourceLimits: { maxOldGenerationSizeMb: 16 } };

describe.runIf(process.platform === 'linux')('a party that runs out of memory', { timeout: 60_000 }, () => {
  it('Barrier: a host blocked in waitSync() gets BrokenBarrierError, not its timeout', async () => {
    const held = new Barrier(3);
    const w = startWorker('die-of-oom-waiting', { kind: 'barrier', held }, LIMITS);
    const exited = new Promise((resolve) => w.once('error', resolve));
    expect(await nextMessage(w)).toBe('waiting');
    // No await until the wait is over: this thread's event loop does not run meanwhile.
    const start = performance.now();
    let thrown: unknown;
    try {
      held.waitSync(WAIT_MS);
    } catch (err) {
      thrown = err;
    }
    expect(performance.now() - start).toBeLessThan(WAIT_MS);
    expect(thrown).toBeInstanceOf(BrokenBarrierError);
    expect(held.broken).toBe(true);
    expect(await exited).toMatchObject({ code: 'ERR_WORKER_OUT_OF_MEMORY' });
    held.reset();
    expect(held.nWaiting).toBe(0);
  });

  it('Condition: the dead waiter stops being counted while the host sleeps in waitSync()', async () => {
    const cond = new Condition();
    const w = startWorker('die-of-oom-waiting', { kind: 'condition', held: cond }, LIMITS);
    const exited = new Promise((resolve) => w.once('error', resolve));
    expect(await nextMessage(w)).toBe('waiting');
    expect(await exited).toMatchObject({ code: 'ERR_WORKER_OUT_OF_MEMORY' });
    const n = startWorker('notify-one', { cond, afterMs: 400 });
    expect(await nextMessage(n)).toBe('ready');
    n.postMessage('go');
    cond.acquireSync();
    // Blocked: nothing here gives the dead waiter's place back but the wait's own look.
    expect(cond.waitSync(WAIT_MS)).toBe(true);
    cond.release();
    expect(await nextMessage(n)).toBe('notified');
    // Python's count of waiters: none left (the dead one was counted until looked for).
    expect(String(cond)).toMatch(/, 0\)>$/);
  });
});
