// Several async functions of ONE thread sharing a Condition (bb11 F9, documented): the default lock
// is an RLock owned by the thread, so it does not keep them apart and their wait() fails with
// LockError, as Python's threading.Condition would; a Condition over a Lock (no owner) keeps them
// apart, as Python's asyncio.Condition does.
import { Condition, Lock, LockError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

/** Three async consumers of one thread wait for an item each, then three items are put: what each got, then the producer's outcome. */
async function consumers(cond: Condition): Promise<unknown[]> {
  const items: number[] = [];
  const consume = async () => {
    await cond.acquire();
    try {
      await cond.waitFor(() => items.length > 0, 5_000);
      return items.shift();
    } finally {
      cond.release();
    }
  };
  const waiting = [consume(), consume(), consume()].map((p) => p.catch((e: unknown) => e));
  const produced = cond
    .withLock(() => {
      items.push(1, 2, 3);
      cond.notifyAll();
    })
    .catch((e: unknown) => e);
  return [...(await Promise.all(waiting)), await produced];
}

describe('a Condition shared by async functions of one thread', () => {
  it('over a Lock: each consumer waits its turn and gets one item', { timeout: 10_000 }, async () => {
    expect(await consumers(new Condition(new Lock()))).toEqual([1, 2, 3, undefined]);
  });

  it('over the default RLock: the thread owns it, so the others fail with LockError', {
    timeout: 10_000,
  }, async () => {
    const results = await consumers(new Condition());
    expect(results.some((r) => r instanceof LockError)).toBe(true);
  });
});
