// A manager lock's withLock(fn) and a manager Condition's waitFor(predicate) name a callback that
// is not a function with a ValidationError, as the thread primitives of @multiproc/shared do,
// before anything is acquired (it used to take the lock, then fail with "fn is not a function").
import { ValidationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const { manager } = managerTestKit();

describe('manager proxies given a callback that is not a function', () => {
  it('withLock(5) on a Lock, RLock and Semaphore: ValidationError, nothing acquired', async () => {
    const m = await manager();
    for (const lock of [m.Lock(), m.RLock(), m.Semaphore(1)]) {
      await expect(lock.withLock(5 as never)).rejects.toThrow(ValidationError);
      await expect(lock.withLock(null as never)).rejects.toThrow(/withLock\(fn\).*function.*null/s);
      expect(await lock.withLock(() => 42)).toBe(42);
    }
  });

  it('Condition.waitFor(5) and withLock(5): ValidationError naming the predicate', async () => {
    const m = await manager();
    const cond = m.Condition();
    await expect(cond.withLock(5 as never)).rejects.toThrow(ValidationError);
    await cond.acquire();
    await expect(cond.waitFor(5 as never, 10)).rejects.toThrow(
      /waitFor\(predicate\).*function.*the number 5/s,
    );
    expect(await cond.waitFor(() => 'ready', 10)).toBe('ready');
    await cond.release();
  });
});
