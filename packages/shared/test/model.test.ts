// Model-based property tests: random sequences of operations on a real primitive, checked step
// by step against a tiny model of what Python's primitive would do.
import { BoundedSemaphore, Lock, LockError, RLock, Semaphore } from '@multiproc/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

interface LockModel {
  depth: number;
}

const lockCommands = (reentrant: boolean) => [
  fc.constant<fc.Command<LockModel, Lock | RLock>>({
    check: () => true,
    run(m, lock) {
      const expected = reentrant || m.depth === 0;
      expect(lock.tryAcquire()).toBe(expected);
      if (expected) m.depth++;
    },
    toString: () => 'tryAcquire',
  }),
  fc.constant<fc.Command<LockModel, Lock | RLock>>({
    check: () => true,
    run(m, lock) {
      const expected = reentrant || m.depth === 0;
      expect(lock.acquireSync({ timeout: 0 })).toBe(expected);
      if (expected) m.depth++;
    },
    toString: () => 'acquireSync(0)',
  }),
  fc.constant<fc.Command<LockModel, Lock | RLock>>({
    check: () => true,
    run(m, lock) {
      if (m.depth === 0) expect(() => lock.release()).toThrow(LockError);
      else {
        lock.release();
        m.depth--;
      }
      expect(lock.locked()).toBe(m.depth > 0);
    },
    toString: () => 'release',
  }),
];

interface SemModel {
  value: number;
  readonly max: number | undefined;
}

const semCommands = [
  fc.constant<fc.Command<SemModel, Semaphore>>({
    check: () => true,
    run(m, sem) {
      expect(sem.tryAcquire()).toBe(m.value > 0);
      if (m.value > 0) m.value--;
    },
    toString: () => 'tryAcquire',
  }),
  fc.integer({ min: 1, max: 3 }).map(
    (n): fc.Command<SemModel, Semaphore> => ({
      check: () => true,
      run(m, sem) {
        if (m.max !== undefined && m.value + n > m.max) expect(() => sem.release(n)).toThrow(LockError);
        else {
          sem.release(n);
          m.value += n;
        }
        expect(sem.getValue()).toBe(m.value);
        expect(sem.locked()).toBe(m.value === 0);
      },
      toString: () => `release(${n})`,
    }),
  ),
];

describe('model-based sequences', () => {
  for (const reentrant of [false, true]) {
    it(`${reentrant ? 'RLock' : 'Lock'} follows its model`, () => {
      fc.assert(
        fc.property(fc.commands(lockCommands(reentrant), { maxCommands: 60 }), (cmds) => {
          const lock = reentrant ? new RLock() : new Lock();
          fc.modelRun(() => ({ model: { depth: 0 }, real: lock }), cmds);
        }),
      );
    });
  }

  for (const bounded of [false, true]) {
    it(`${bounded ? 'BoundedSemaphore' : 'Semaphore'} never exceeds its count`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 4 }),
          fc.commands(semCommands, { maxCommands: 60 }),
          (n, cmds) => {
            const sem = bounded ? new BoundedSemaphore(n) : new Semaphore(n);
            fc.modelRun(() => ({ model: { value: n, max: bounded ? n : undefined }, real: sem }), cmds);
          },
        ),
      );
    });
  }

  it('async acquirers of a Lock are all admitted, one at a time, in any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 6 }), async (s, n) => {
        const lock = new Lock();
        let inside = 0;
        let most = 0;
        const tasks = Array.from({ length: n }, () =>
          lock.withLock(async () => {
            most = Math.max(most, ++inside);
            await s.schedule(Promise.resolve());
            inside--;
          }),
        );
        await s.waitFor(Promise.all(tasks));
        expect(most).toBe(1);
        expect(lock.locked()).toBe(false);
      }),
      { numRuns: 30 },
    );
  });
});
