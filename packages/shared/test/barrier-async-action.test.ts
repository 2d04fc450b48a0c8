// A Barrier's action that returns a Promise (an async function, or a task reference whose runner
// answers with one). Python runs the action in the wait() of the last party: its exception comes
// out of that wait() and breaks the barrier. wait() awaits the Promise; waitSync() cannot, so it
// refuses it: the barrier breaks, that waitSync() throws ValidationError naming wait(), and the
// Promise's rejection is handled (an unhandled one would end the program).
import {
  Barrier,
  BrokenBarrierError,
  type EncodeContext,
  encodeSymbol,
  setBarrierActionRunner,
  ValidationError,
} from '@multiproc/shared';
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
/** Lets an unhandled rejection, if any, be reported. */
const settle = () => new Promise((r) => setTimeout(r, 50));

class AsyncAction {
  [encodeSymbol](_ctx: EncodeContext) {
    return { type: 'test.AsyncAction', data: null };
  }
}

describe('Barrier action returning a Promise', () => {
  it('waitSync(): breaks the barrier, throws ValidationError naming wait(), leaves no unhandled rejection', async () => {
    const bar = new Barrier(1, {
      action: async () => {
        throw new Error('async action failed');
      },
    });
    expect(() => bar.waitSync()).toThrow(ValidationError);
    expect(bar.broken).toBe(true);
    bar.reset();
    expect(() => bar.waitSync()).toThrow(/synchronous.*wait\(\)/s);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('waitSync(): a Promise that resolves is refused too (it cannot be awaited), and so is any thenable', async () => {
    let ran = 0;
    const bar = new Barrier(1, { action: async () => void ran++ });
    expect(() => bar.waitSync()).toThrow(ValidationError);
    expect([ran, bar.broken]).toEqual([1, true]);
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is no Promise, on purpose
    const thenable = new Barrier(1, { action: () => ({ then: () => undefined }) });
    expect(() => thenable.waitSync()).toThrow(ValidationError);
    expect(thenable.broken).toBe(true);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('waitSync(): the other parties get BrokenBarrierError', async () => {
    const bar = new Barrier(2, { action: () => Promise.reject(new Error('no')) });
    const other = bar.wait(5000);
    expect(() => bar.waitSync(5000)).toThrow(ValidationError);
    await expect(other).rejects.toBeInstanceOf(BrokenBarrierError);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('waitSync(): a task-reference action whose runner answers with a Promise is refused the same way', async () => {
    setBarrierActionRunner(() => Promise.reject(new Error('task failed')));
    const bar = new Barrier(1, { action: new AsyncAction() });
    expect(() => bar.waitSync()).toThrow(ValidationError);
    expect(bar.broken).toBe(true);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('wait(): awaits the action; its rejection comes out of the wait that ran it and breaks the barrier', async () => {
    const order: string[] = [];
    const ok = new Barrier(2, {
      action: async () => {
        await new Promise((r) => setTimeout(r, 20));
        order.push('action');
      },
    });
    const both = await Promise.all([ok.wait(), ok.wait()]);
    order.push('released');
    expect(both.sort()).toEqual([0, 1]);
    expect(order).toEqual(['action', 'released']);

    const failure = new Error('async action failed');
    const bar = new Barrier(2, {
      action: async () => {
        await new Promise((r) => setTimeout(r, 20));
        throw failure;
      },
    });
    const first = bar.wait(5000);
    const last = bar.wait(5000);
    await expect(last).rejects.toBe(failure);
    await expect(first).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(bar.broken).toBe(true);
    await settle();
    expect(unhandled).toEqual([]);
  });
});
