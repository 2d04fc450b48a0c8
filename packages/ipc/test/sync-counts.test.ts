// The count arguments of Semaphore.release(n) and Condition.notify(n) behave alike in both
// contexts (the thread context's shared-memory primitives, the process context's manager
// proxies): release(n) adds n permits and wakes n waiters, notify(n) wakes n, and a count that is
// not one (1.5, '2', NaN, null, -1) is refused with ValidationError.
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core, killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/count-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

const BAD_RELEASES = [0, -1, 1.5, '2', Number.NaN, null, Number.POSITIVE_INFINITY];
const BAD_NOTIFIES = [-1, 1.5, '2', Number.NaN, null];

/** Calls `f` and settles its result, so a synchronous throw and a rejection read alike. */
async function outcome(f: () => unknown): Promise<unknown> {
  try {
    return await f();
  } catch (err) {
    return err;
  }
}

async function takeAll<T>(q: Queue<T>, n: number): Promise<T[]> {
  const got: T[] = [];
  for (let i = 0; i < n; i++) got.push(await q.get({ timeout: 30_000 }));
  return got;
}

describe.each(matrix(import.meta.url))('count arguments (%s context)', (name) => {
  const ctx = core.getContext(name);

  it('Semaphore.release(n) adds n permits; a bad n is a ValidationError that changes nothing', async () => {
    const sem = ctx.Semaphore(0);
    await sem.release(3);
    expect(await sem.getValue()).toBe(3);
    for (const n of BAD_RELEASES) {
      expect(await outcome(() => sem.release(n)), String(n)).toMatchObject({ code: 'MP_VALIDATION' });
    }
    expect(await sem.getValue()).toBe(3);
  });

  it('BoundedSemaphore.release(n) past its initial value is a LockError and releases nothing', async () => {
    const sem = ctx.BoundedSemaphore(2);
    await sem.acquire();
    await sem.acquire();
    expect(await outcome(() => sem.release(3))).toMatchObject({ code: 'MP_LOCK' });
    expect(await sem.getValue()).toBe(0);
    await sem.release(2);
    expect(await sem.getValue()).toBe(2);
  });

  it('Semaphore.release(3) wakes three waiting workers', { timeout: 60_000 }, async () => {
    const sem = ctx.Semaphore(0);
    const out = new Queue<boolean>();
    const ps = [0, 1, 2].map(() => startProcess(name, tasks.acquireOnce, [sem, out, 20_000]));
    await sem.release(3);
    expect(await takeAll(out, 3)).toEqual([true, true, true]);
    for (const p of ps) await p.join();
  });

  it('Condition.notify(n) refuses a bad n with ValidationError, lock held or not', async () => {
    const cond = ctx.Condition();
    for (const n of BAD_NOTIFIES) {
      expect(await outcome(() => cond.notify(n)), String(n)).toMatchObject({ code: 'MP_VALIDATION' });
    }
    await cond.acquire();
    for (const n of BAD_NOTIFIES) {
      expect(await outcome(() => cond.notify(n)), String(n)).toMatchObject({ code: 'MP_VALIDATION' });
    }
    await cond.notify(0);
    await cond.notify(Number.POSITIVE_INFINITY);
    await cond.release();
  });

  it('Condition.notify(0) wakes none and notify(2) two of three waiting workers', {
    timeout: 60_000,
  }, async () => {
    const cond = ctx.Condition();
    const out = new Queue<string | boolean>();
    const ps = [0, 1, 2].map(() => startProcess(name, tasks.waitOnce, [cond, out, 4_000]));
    expect(await takeAll(out, 3)).toEqual(['ready', 'ready', 'ready']);
    await cond.acquire(); // every waiter is in wait() now
    await cond.notify(0);
    await cond.notify(2);
    await cond.release();
    expect((await takeAll(out, 3)).sort()).toEqual([false, true, true]);
    for (const p of ps) await p.join();
  });
});
