// Condition.locked() says whether anyone holds the condition's lock, in both contexts (Python 3.14:
// threading.Condition exports its lock's locked(), and the manager's ConditionProxy exposes it).
// The process context's (a manager's ConditionProxy) was typed but never served: it always
// rejected with "This managed object has no method 'locked'"; the thread one had none.
import { getContext, Process } from '@multiproc/core';
import { type ConditionProxy, Manager } from '@multiproc/ipc';
import type { Condition } from '@multiproc/shared';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/condition-tasks.mjs';

const started: Process[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
});

describe.each(matrix(import.meta.url))("getContext('%s').Condition", (context) => {
  const ctx = getContext(context);

  it('locked() follows acquire() and release() of this thread', { timeout: 20_000 }, async () => {
    const cond = ctx.Condition();
    expect(await cond.locked()).toBe(false);
    await cond.acquire();
    expect(await cond.locked()).toBe(true);
    await cond.acquire(); // its own RLock: taken twice, released twice
    await cond.release();
    expect(await cond.locked()).toBe(true);
    await cond.release();
    expect(await cond.locked()).toBe(false);
  });

  it('locked() is its lock’s: taking the lock given to it locks the condition', {
    timeout: 20_000,
  }, async () => {
    const lock = ctx.Lock();
    const cond = ctx.Condition(lock as never);
    await lock.acquire();
    expect(await cond.locked()).toBe(true);
    await lock.release();
    expect(await cond.locked()).toBe(false);
  });

  it('locked() is true while another worker holds it', { timeout: 30_000 }, async () => {
    const cond = ctx.Condition();
    const [held, done] = [ctx.Event(), ctx.Event()];
    const p = new Process({ target: tasks.holdCondition, args: [cond, held, done], context });
    started.push(p);
    p.start();
    expect(await held.wait(20_000)).toBe(true);
    expect(await cond.locked()).toBe(true);
    expect(await cond.acquire({ timeout: 0 })).toBe(false);
    await done.set();
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    expect(await cond.locked()).toBe(false);
  });
});

it("a manager's Condition serves locked() too, typed as a Promise", { timeout: 20_000 }, async () => {
  const m = await Manager.start();
  try {
    const cond = m.Condition(m.Lock());
    await cond.lock.acquire();
    expect(await cond.locked()).toBe(true);
    await cond.lock.release();
    expect(await cond.locked()).toBe(false);
  } finally {
    await m.shutdown();
  }
  expectTypeOf<ConditionProxy['locked']>().returns.toEqualTypeOf<Promise<boolean>>();
  expectTypeOf<Condition['locked']>().returns.toEqualTypeOf<boolean>();
});
