// `release()` of a lock this thread or process does not hold throws LockError at once in both
// contexts (CONTRACT, shared memory), so `try { lock.release() } catch {}` works in the process
// context too, where the primitives are manager proxies.
import { getContext } from '@multiproc/core';
import { LockError } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
process.on('unhandledRejection', onUnhandled);
afterEach(() => {
  unhandled.length = 0;
});

describe.each(matrix(import.meta.url))("getContext('%s')", (name) => {
  const ctx = getContext(name);
  const makers: [string, () => { release(): unknown }][] = [
    ['Lock', () => ctx.Lock()],
    ['RLock', () => ctx.RLock()],
    ['BoundedSemaphore', () => ctx.BoundedSemaphore(1)],
    ['Condition', () => ctx.Condition()],
    ['Condition(Lock)', () => ctx.Condition(ctx.Lock() as never)],
    ['Value().getLock()', () => ctx.Value('i', 0).getLock()],
  ];

  it.each(makers)('%s: release() when not held throws LockError at once', { timeout: 10_000 }, (_, make) => {
    expect(() => make().release()).toThrow(LockError);
  });

  it('a try/catch around an unheld release() leaves no unhandled rejection', {
    timeout: 10_000,
  }, async () => {
    const lock = ctx.Lock();
    let caught: unknown;
    try {
      lock.release();
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'MP_LOCK' });
    await lock.acquire();
    await lock.release(); // the lock works on
    await new Promise((r) => setTimeout(r, 50)); // lets a stray rejection surface
    expect(unhandled).toEqual([]);
  });
});
