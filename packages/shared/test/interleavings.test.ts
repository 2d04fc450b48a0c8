// Random interleavings across real threads: three workers run fast-check-generated scripts of
// Lock, RLock, Semaphore and Condition operations on the same primitives at once. Mutual
// exclusion must hold in every critical section, and no condition wait may miss its wake-up.
import { Condition, encodeValue, Lock, RLock, Semaphore } from '@multiproc/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

const VIOLATIONS = 3;
const ITEMS = 2;
const plain = fc.constantFrom('lock', 'lockAsync', 'rlock', 'sem');

// Worker 0 produces (one item with notify(), two with notify(2), or one with notifyAll()) and
// never consumes; workers 1 and 2 consume exactly as many items, so they wait whenever they get
// ahead of the producer, and only a lost wake-up can leave one waiting until its time runs out.
const produces = fc.constantFrom(
  ['produce', 1] as const,
  ['produceTwo', 2] as const,
  ['produceAll', 1] as const,
);
const withPlainOps = (ops: string[]) =>
  fc
    .array(fc.array(plain, { maxLength: 2 }), { minLength: ops.length, maxLength: ops.length })
    .map((fill) => ops.flatMap((op, i) => [...fill[i]!, op]));
const scripts = fc
  .tuple(fc.array(produces, { minLength: 1, maxLength: 12 }), fc.array(fc.boolean(), { maxLength: 30 }))
  .chain(([made, syncs]) => {
    const total = made.reduce((n, [, k]) => n + k, 0);
    const consumes = Array.from({ length: total }, (_, i) => (syncs[i] ? 'consume' : 'consumeAsync'));
    const half = Math.floor(total / 2);
    return fc.tuple(
      withPlainOps(made.map(([op]) => op)),
      withPlainOps(consumes.slice(0, half)),
      withPlainOps(consumes.slice(half)),
    );
  });

describe('random interleavings across threads', () => {
  it('never break mutual exclusion or lose a condition wake-up', async () => {
    const workers = [0, 1, 2].map(() => startWorker('random-ops', {}));
    await fc.assert(
      fc.asyncProperty(scripts, async (three) => {
        const prims = {
          lock: new Lock(),
          rlock: new RLock(),
          sem: new Semaphore(2),
          cond: new Condition(new Lock()),
          state: new Int32Array(new SharedArrayBuffer(32)),
        };
        three.forEach((s, i) => {
          const { value, transfer } = encodeValue({ prims, script: s }, 'thread', 'message');
          workers[i]!.postMessage(value, transfer as never[]);
        });
        await Promise.all(workers.map((w) => nextMessage(w)));
        expect(Atomics.load(prims.state, VIOLATIONS)).toBe(0);
        expect(Atomics.load(prims.state, ITEMS)).toBe(0);
        expect([prims.lock.locked(), prims.rlock.locked(), prims.sem.getValue()]).toEqual([false, false, 2]);
      }),
      { numRuns: 25, seed: 14 },
    );
  }, 60_000);
});
