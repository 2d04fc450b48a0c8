// How a worker thread ended decides what of the shared primitives it took is given back (see
// owner-death.test.ts for workers that die blocked while holding). One that ends normally (its
// target or task returned, exit(0), a pool retiring it after maxTasksPerChild, idling it out or
// joining it after close()) keeps what Python lets any thread release: a Lock, Semaphore and
// BoundedSemaphore permits stay taken, so the main thread can release them (a hand-off). One that
// fails (exit(1), an error thrown at its top level) gives them back. What only the worker itself
// could release (an RLock, a Condition over an RLock, a place at a Barrier) is given back either way.
import { Pool, Process, WorkerCrashedError } from '@multiproc/core';
import { Barrier, BoundedSemaphore, Condition, Lock, RLock, Semaphore } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/hold.mjs';

// Generous bounds, not timings: a worker can take many seconds to start on a loaded 2-core machine.
const WAIT_MS = 60_000;

const kinds = {
  Lock: () => new Lock(),
  Semaphore: () => new Semaphore(2),
  BoundedSemaphore: () => new BoundedSemaphore(2),
  'Condition(Lock)': () => new Condition(new Lock()),
  RLock: () => new RLock(),
  'Condition(RLock)': () => new Condition(),
  Barrier: () => new Barrier(3),
};
type Kind = keyof typeof kinds;
const ALL = Object.keys(kinds) as Kind[];
/** The kinds Python lets any thread release: kept by a worker that ended normally. */
const OWNERLESS: readonly Kind[] = ['Lock', 'Semaphore', 'BoundedSemaphore', 'Condition(Lock)'];
/** The task's name in the worker: the fixture takes a Condition's lock, a Semaphore's permit. */
const taskKind = (kind: Kind) => kind.replace(/\(.*\)$/, '').replace('BoundedSemaphore', 'Semaphore');

/**
 * Looks at `prim` after the worker that took a share of it ended: 'kept' (still taken; then the
 * main thread releases it, which must work: the hand-off) or 'given back'.
 */
function afterEnd(kind: Kind, prim: any): 'kept' | 'given back' {
  switch (kind) {
    case 'Lock':
    case 'Condition(Lock)': {
      const lock: Lock = kind === 'Lock' ? prim : prim.lock;
      if (lock.locked()) {
        lock.release(); // no LockError: the worker's acquire still stands
        expect(lock.locked()).toBe(false);
        return 'kept';
      }
      expect(lock.tryAcquire()).toBe(true);
      expect(lock.abandoned).toBe(true);
      lock.release();
      return 'given back';
    }
    case 'Semaphore':
    case 'BoundedSemaphore': {
      const value = prim.getValue();
      if (value === 2) return 'given back';
      expect(value).toBe(1);
      prim.release(); // no LockError from a BoundedSemaphore, and never above 2
      expect(prim.getValue()).toBe(2);
      return 'kept';
    }
    case 'RLock':
    case 'Condition(RLock)': {
      const lock: RLock = kind === 'RLock' ? prim : prim.lock;
      if (!lock.tryAcquire()) return 'kept';
      const abandoned = lock.abandoned;
      lock.release();
      expect(abandoned).toBe(true);
      return 'given back';
    }
    case 'Barrier':
      return prim.broken ? 'given back' : 'kept';
  }
}

const expected = (kind: Kind, normal: boolean) =>
  normal && OWNERLESS.includes(kind) ? 'kept' : 'given back';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f().catch(() => {})));
});

describe('Process (thread): what a worker that took a share and ended leaves', { timeout: 120_000 }, () => {
  const ends = [
    ['returned', 'return', 0, true],
    ['called exit(0)', 'exit0', 0, true],
    ['called exit(1)', 'exit1', 1, false],
    ['threw at its top level', 'crash', 1, false],
  ] as const;
  describe.each(ends)('a target that %s', (_, end, exitCode, normal) => {
    // A target that returns while its Barrier wait is pending does not end until that wait does.
    const these = end === 'return' ? ALL.filter((k) => k !== 'Barrier') : ALL;
    it.each(these)(`${normal ? 'keeps' : 'gives back'} only what it should: %s`, async (kind) => {
      const prim = kinds[kind]();
      const p = new Process({ target: tasks.takeAndEnd, args: [taskKind(kind), prim, end] });
      cleanup.push(() => p.terminate());
      p.start();
      await p.join(WAIT_MS);
      expect(p.exitCode).toBe(exitCode);
      expect(afterEnd(kind, prim)).toBe(expected(kind, normal));
    });
  });
});

/** A pool of one thread worker, and a promise of that worker's 'workerDestroy' reason. */
function onePool(options: ConstructorParameters<typeof Pool>[0] = {}) {
  const pool = new Pool({ processes: 1, ...options });
  cleanup.push(() => pool.terminate());
  const destroyed = new Promise<string>((resolve) => pool.once('workerDestroy', (e) => resolve(e.reason)));
  return { pool, destroyed };
}

describe('Pool (thread): what a worker whose task took a share leaves when it ends', {
  timeout: 120_000,
}, () => {
  it.each(ALL)(
    'recycled by maxTasksPerChild after the task returned: keeps only what it should: %s',
    async (kind) => {
      const prim = kinds[kind]();
      const { pool, destroyed } = onePool({ maxTasksPerChild: 1 });
      expect(await pool.apply(tasks.takeAndEnd, [taskKind(kind), prim, 'return'])).toBe('returned');
      expect(await destroyed).toBe('retired');
      expect(afterEnd(kind, prim)).toBe(expected(kind, true));
    },
  );

  // As with a Process, a worker whose task left a Barrier wait pending ends only when that wait does
  // (its 60 s timeout): the Barrier's case is the recycled one above.
  it.each(ALL.filter((k) => k !== 'Barrier'))(
    'ended by close() and join(): keeps only what it should: %s',
    async (kind) => {
      const prim = kinds[kind]();
      const { pool, destroyed } = onePool();
      await pool.apply(tasks.takeAndEnd, [taskKind(kind), prim, 'return']);
      pool.close();
      await pool.join();
      await destroyed;
      expect(afterEnd(kind, prim)).toBe(expected(kind, true));
    },
  );

  it.each(['Lock', 'BoundedSemaphore', 'RLock'] as const)(
    'stopped after its idle timeout: keeps only what it should: %s',
    async (kind) => {
      const prim = kinds[kind]();
      const { pool, destroyed } = onePool({ minProcesses: 0, idleTimeout: 1 });
      await pool.apply(tasks.takeAndEnd, [taskKind(kind), prim, 'return']);
      expect(await destroyed).toBe('idle');
      expect(afterEnd(kind, prim)).toBe(expected(kind, true));
    },
  );

  describe.each(['exit1', 'crash'] as const)('a task that fails the worker (%s)', (end) => {
    it.each(ALL)('gives everything back: %s', async (kind) => {
      const prim = kinds[kind]();
      const { pool } = onePool();
      await expect(pool.apply(tasks.takeAndEnd, [taskKind(kind), prim, end])).rejects.toBeInstanceOf(
        WorkerCrashedError,
      );
      expect(afterEnd(kind, prim)).toBe(expected(kind, false));
    });
  });
});
