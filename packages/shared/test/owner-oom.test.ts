// A worker thread that runs out of memory under `resourceLimits` runs no JavaScript at its end, so
// it cannot give back what it holds (owner-exit.test.ts), and its host, asleep in acquireSync() on
// that share, cannot see its 'exit' either. On Linux the wait sleeps in slices and looks between
// them whether the holder's OS thread still exists (internal/thread-roster.ts); so the host wakes
// long before its timeout. Elsewhere it sleeps to its timeout, as before.
import { Lock, RLock, Semaphore } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

// A bound on a wait that must end well before it: acquireSync() returns false only at its timeout.
const WAIT_MS = 10_000;
const LIMITS = { resourceLimits: { maxOldGenerationSizeMb: 16 } };

const kinds = {
  lock: () => new Lock(),
  rlock: () => new RLock(),
  semaphore: () => new Semaphore(1),
} as const;

describe.runIf(process.platform === 'linux')('a holder that runs out of memory', { timeout: 60_000 }, () => {
  it.each(Object.keys(kinds) as (keyof typeof kinds)[])(
    '%s: a host blocked in acquireSync() gets it',
    async (kind) => {
      const held = kinds[kind]();
      const w = startWorker('die-of-oom', { kind, held }, LIMITS);
      const exited = new Promise((resolve) => w.once('error', resolve));
      await nextMessage(w);
      // No await until the wait is over: this thread's event loop does not run meanwhile.
      expect(held.acquireSync(WAIT_MS)).toBe(true);
      if (kind !== 'semaphore') expect((held as Lock | RLock).abandoned).toBe(true);
      held.release();
      expect(await exited).toMatchObject({ code: 'ERR_WORKER_OUT_OF_MEMORY' });
    },
  );
});
