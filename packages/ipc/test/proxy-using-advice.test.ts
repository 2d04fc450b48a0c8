// `using lock = m.Lock()` (Python's `with lock:`) on a manager's Lock, RLock, Semaphore,
// BoundedSemaphore or Condition proxy, and on getContext('process')'s, which are the same proxies,
// met the engine's "TypeError: Object not disposable" (or "Symbol(Symbol.dispose) is not a
// function"), while the thread primitives give a ValidationError naming withLock() (`noUsingForm`
// in shared). The proxies give that named error now, for both dispose keys.
import { ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { manager } = managerTestKit();

const disposeKeys = [Symbol.dispose, Symbol.asyncDispose] as const;

function expectAdvice(made: any, name: string): void {
  for (const key of disposeKeys) {
    expect(() => made[key], name).toThrow(ValidationError);
    expect(() => made[key], name).toThrow(/has no `using` form.*withLock\(/);
    expect(() => made[key], name).toThrow(/await lock\.acquire\(\)/);
  }
}

describe('`using` and `await using` on a manager primitive proxy', () => {
  it('Lock, RLock, Semaphore, BoundedSemaphore, Condition: ValidationError naming withLock()', async () => {
    const m = await manager();
    const made: [string, unknown][] = [
      ['Lock', m.Lock()],
      ['RLock', m.RLock()],
      ['Semaphore', m.Semaphore(2)],
      ['BoundedSemaphore', m.BoundedSemaphore(2)],
      ['Condition', m.Condition()],
    ];
    for (const [name, proxy] of made) expectAdvice(proxy, name);
    // The declarations themselves, as a user writes them.
    const lock: any = m.Lock();
    expect(() => {
      using held = lock;
      void held;
    }).toThrow(ValidationError);
    await expect(
      (async () => {
        await using held = lock;
        void held;
      })(),
    ).rejects.toThrow(ValidationError);
    // Still no member of its own: keys and the lock's use are as before.
    expect(Object.keys(lock)).not.toContain(String(Symbol.dispose));
    expect(await lock.withLock(() => 7)).toBe(7);
  });

  it("getContext('process')'s Lock, RLock, Semaphore and Condition: the same error", async () => {
    const ctx = core.getContext('process');
    const made: [string, unknown][] = [
      ['Lock', ctx.Lock()],
      ['RLock', ctx.RLock()],
      ['Semaphore', ctx.Semaphore(1)],
      ['Condition', ctx.Condition()],
    ];
    for (const [name, proxy] of made) expectAdvice(proxy, name);
  });
});
