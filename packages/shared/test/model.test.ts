// Model-based property tests: random sequences of operations on a real primitive, checked step
// by step against a tiny model of what Python's primitive would do.
import { BoundedSemaphore, Condition, Lock, LockError, RLock, Semaphore } from '@multiproc/shared';
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
      { numRuns: 30, seed: 119 },
    );
  });
});

// Another thread's step between any two atomic steps of this one. Every `Atomics` call is counted;
// before the calls fast-check picks, an action runs as another thread would run it there: a
// notify() or notifyAll(), or a new wait(). It takes the condition's lock with tryAcquire() (a
// Lock has no owner, so this models another thread: it is skipped where that thread would block),
// so it can land wherever the lock is free, e.g. between a woken waiter taking its wake-up and
// leaving the waiters' count (bbW's lost wake-up: a notify there was spent on a waiter already
// awake, and the next waiter slept forever).
const ATOMIC_OPS = ['load', 'store', 'add', 'sub', 'compareExchange', 'exchange', 'notify'] as const;

async function withPreemption<T>(at: Map<number, () => void>, body: () => Promise<T>): Promise<T> {
  const table = Atomics as unknown as Record<string, (...args: unknown[]) => unknown>;
  const saved = ATOMIC_OPS.map((k) => [k, table[k]!] as const);
  let calls = 0;
  let inside = false;
  for (const [k, f] of saved) {
    table[k] = (...args: unknown[]) => {
      if (!inside) {
        const act = at.get(++calls);
        if (act) {
          inside = true;
          try {
            act();
          } finally {
            inside = false;
          }
        }
      }
      return f.apply(Atomics, args);
    };
  }
  try {
    return await body();
  } finally {
    for (const [k, f] of saved) table[k] = f;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Condition with another thread stepping in between any two atomic steps', () => {
  it('every wake-up notify() counted is taken by one waiter that returns true, and none other returns true', async () => {
    type Act = 'notify' | 'notifyAll' | 'wait' | 'waitBrief';
    type Op = Act | 1 | 2;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Op>('wait', 'wait', 'waitBrief', 1, 2, 'notifyAll'), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 1, max: 400 }),
            fc.constantFrom<Act>('notify', 'notifyAll', 'wait', 'waitBrief'),
          ),
          { maxLength: 8 },
        ),
        fc.constantFrom(0, 1, 3),
        async (script, steps, briefMs) => {
          const cond = new Condition(new Lock());
          // The model, updated with the lock held: waiters in wait(), wake-ups counted by notify()
          // in all, and waiters that returned true. notify(n) counts min(n, waiters not counted yet).
          let pending = 0;
          let brief = 0;
          let counted = 0;
          let woken = 0;
          const waits: Promise<void>[] = [];
          const startWait = (ms: number) => {
            pending++;
            if (ms !== 30_000) brief++;
            waits.push(
              cond.wait(ms).then((r) => {
                pending--;
                if (ms !== 30_000) brief--;
                if (r) woken++;
                expect(woken).toBeLessThanOrEqual(counted); // never a wake-up nobody counted
                cond.release();
              }),
            );
          };
          const notify = (n: number) => {
            counted += Math.min(n, pending - (counted - woken));
            cond.notify(n);
          };
          const acts: Record<Act, () => void> = {
            notify: () => notify(1),
            notifyAll: () => notify(Number.POSITIVE_INFINITY),
            wait: () => startWait(30_000),
            waitBrief: () => startWait(briefMs),
          };
          const run = (op: Op) => (typeof op === 'number' ? notify(op) : acts[op]());
          const at = new Map(
            steps.map(([i, act]) => [
              i,
              () => {
                if (!cond.lock.tryAcquire()) return; // that thread would block here
                run(act);
                if (act !== 'wait' && act !== 'waitBrief') cond.release(); // wait() released it
              },
            ]),
          );
          // Until every counted wake-up was taken and every brief wait timed out (bounded).
          const settle = async () => {
            for (let i = 0; i < 300 && (woken < counted || brief > 0); i++) {
              await (i % 10 === 9 ? new Promise((r) => setTimeout(r, 1)) : tick());
            }
            for (let i = 0; i < 5; i++) await tick(); // and no more wake up
          };
          await withPreemption(at, async () => {
            for (const op of script) {
              await tick();
              await cond.acquire();
              run(op);
              if (op !== 'wait' && op !== 'waitBrief') cond.release();
            }
            await settle();
          });
          expect({ woken, brief }).toEqual({ woken: counted, brief: 0 });
          await cond.acquire();
          notify(Number.POSITIVE_INFINITY);
          cond.release();
          await settle();
          expect({ pending, woken, waiting: String(cond) }).toEqual({
            pending: 0,
            woken: counted,
            waiting: '<Condition(<Lock(owner=None)>, 0)>',
          });
          await Promise.all(waits);
        },
      ),
      { numRuns: 300, seed: 22 },
    );
  }, 60_000);
});
