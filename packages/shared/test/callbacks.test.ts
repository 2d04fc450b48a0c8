// The functions handed to the primitives. A blocking call cannot await: waitForSync() refuses a
// predicate that answers with a Promise (truthy, so it used to return at once) with a
// ValidationError naming waitFor(), its rejection handled. A non-function predicate or critical
// section is named as a ValidationError (Python: TypeError) instead of "x is not a function".
import { BoundedSemaphore, Condition, Lock, RLock, Semaphore, ValidationError } from '@multiproc/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const unhandled: unknown[] = [];
const record = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', record);
});
afterEach(() => {
  process.off('unhandledRejection', record);
});
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('Condition.waitForSync() with a predicate that returns a Promise', () => {
  it('throws ValidationError naming waitFor() at once, the lock still held, no unhandled rejection', async () => {
    const cond = new Condition();
    cond.acquireSync();
    const started = Date.now();
    expect(() => cond.waitForSync(async () => false, 500)).toThrow(ValidationError);
    expect(() => cond.waitForSync(async () => true, 500)).toThrow(/use await cond\.waitFor\(predicate\)/i);
    expect(() => cond.waitForSync(() => Promise.reject(new Error('no')), 500)).toThrow(ValidationError);
    expect(Date.now() - started).toBeLessThan(400);
    expect(() => cond.notify()).not.toThrow(); // the lock is still held
    cond.release();
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('refuses one that turns async after a wait too', () => {
    const cond = new Condition();
    cond.acquireSync();
    let calls = 0;
    const predicate = (): unknown => (++calls === 1 ? false : Promise.resolve(true));
    expect(() => cond.waitForSync(predicate, 20)).toThrow(ValidationError);
    expect(calls).toBe(2);
    expect(() => cond.notify()).not.toThrow(); // the lock is still held
    cond.release();
  });

  it('a sync predicate works as before: its last value, falsy on timeout', () => {
    const cond = new Condition();
    cond.acquireSync();
    expect(cond.waitForSync(() => 7)).toBe(7);
    expect(cond.waitForSync(() => 0, 10)).toBe(0);
    cond.release();
  });
});

describe('a callback that is not a function', () => {
  it('waitFor() and waitForSync() name the predicate', async () => {
    const cond = new Condition();
    await cond.acquire();
    await expect(cond.waitFor(5 as never, 10)).rejects.toThrow(ValidationError);
    await expect(cond.waitFor(undefined as never, 10)).rejects.toThrow(/predicate.*function.*undefined/s);
    expect(() => cond.waitForSync('x' as never, 10)).toThrow(/predicate.*function.*the string 'x'/s);
    cond.release();
  });

  for (const [name, make] of [
    ['Lock', () => new Lock()],
    ['RLock', () => new RLock()],
    ['Semaphore', () => new Semaphore(1)],
    ['BoundedSemaphore', () => new BoundedSemaphore(1)],
    ['Condition', () => new Condition()],
  ] as const) {
    it(`${name}.withLock() names it, and does not take the lock`, async () => {
      const lock = make();
      await expect(lock.withLock(5 as never)).rejects.toThrow(ValidationError);
      await expect(lock.withLock(null as never)).rejects.toThrow(
        new RegExp(`${name}\\.withLock\\(fn\\).*function.*null`, 's'),
      );
      expect(await lock.withLock(() => 42)).toBe(42);
    });
  }
});
