import {
  Barrier,
  BrokenBarrierError,
  type EncodeContext,
  encodeSymbol,
  encodeValue,
  RawValue,
  registerCodec,
  SerializationError,
  setBarrierActionRunner,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

class CountAction {
  readonly counter: RawValue<'i'>;
  constructor(counter: RawValue<'i'>) {
    this.counter = counter;
  }
  [encodeSymbol](_ctx: EncodeContext) {
    return { type: 'test.CountAction', data: this.counter };
  }
}
registerCodec('test.CountAction', (counter: RawValue<'i'>) => new CountAction(counter));

interface Outcome {
  first: number | string;
  second: number | string;
}
interface PythonOutcome {
  first: number | string;
  middle: number | string;
  last: number | string;
}

describe('Barrier', () => {
  it('releases all parties with distinct indexes and runs the action first, cycle after cycle', async () => {
    let runs = 0;
    const bar = new Barrier(3, { action: () => runs++ });
    for (let cycle = 1; cycle <= 3; cycle++) {
      const indexes = await Promise.all([bar.wait(), bar.wait(), bar.wait()]);
      expect(indexes.sort()).toEqual([0, 1, 2]);
      expect(runs).toBe(cycle);
    }
    expect(bar.nWaiting).toBe(0);
    expect(bar.parties).toBe(3);
  });

  it('works across threads with a sendable action run through the installed runner', async () => {
    const counter = new RawValue('i', 0);
    setBarrierActionRunner((action) => {
      (action as CountAction).counter.value += 1;
    });
    const bar = new Barrier(3, { action: new CountAction(counter) });
    const a = startWorker('barrier-party', { barrier: bar, sync: true });
    const b = startWorker('barrier-party', { barrier: bar, sync: false });
    const mine = await bar.wait(10_000);
    const all = [mine, ...(await Promise.all([nextMessage<number>(a), nextMessage<number>(b)]))];
    expect(all.sort()).toEqual([0, 1, 2]);
    expect(counter.value).toBe(1);
  });

  it('a timeout breaks it for everyone until reset()', async () => {
    const bar = new Barrier(3);
    const w = startWorker('waiter', { kind: 'barrier', barrier: bar, timeout: 10_000 });
    while (bar.nWaiting < 1) await new Promise((r) => setTimeout(r, 1));
    await expect(bar.wait(10)).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(await nextMessage(w)).toEqual({ error: 'BrokenBarrierError' });
    expect(bar.broken).toBe(true);
    expect(() => bar.waitSync(10)).toThrow(BrokenBarrierError);
    bar.reset();
    expect(bar.broken).toBe(false);
    const both = await Promise.all([bar.wait(), bar.wait(), bar.wait()]);
    expect(both.sort()).toEqual([0, 1, 2]);
  });

  it('reset() and abort() break the waits in progress', async () => {
    const bar = new Barrier(2, { timeout: 10_000 });
    const w = startWorker('waiter', { kind: 'barrierAsync', barrier: bar });
    while (bar.nWaiting < 1) await new Promise((r) => setTimeout(r, 1));
    bar.reset();
    expect(await nextMessage(w)).toEqual({ error: 'BrokenBarrierError' });
    expect(bar.broken).toBe(false);
    const pending = bar.wait();
    bar.abort();
    await expect(pending).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(bar.broken).toBe(true);
  });

  it('reset() drains: a party that re-enters wait() while the old waiters leave joins the next cycle', async () => {
    const bar = new Barrier(3);
    const ctl = new Int32Array(new SharedArrayBuffer(4));
    // 'blocked' is inside the cycle, and cannot leave it until ctl[0] opens (its thread is blocked).
    const blocked = startWorker('barrier-reset', { bar, ctl, role: 'blocked' });
    expect(await nextMessage(blocked)).toBe('arrived');
    const reenter = startWorker('barrier-reset', { bar, ctl, role: 'reenter' });
    while (bar.nWaiting < 2) await new Promise((r) => setImmediate(r));
    bar.reset();
    // 'reenter' was broken out and calls wait() again while 'blocked' is still inside: draining.
    expect(await nextMessage(reenter)).toBe('reentering');
    expect(bar.broken).toBe(false);
    expect(bar.nWaiting).toBe(0);
    Atomics.store(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    const mine = await bar.wait(10_000);
    const [b, r] = await Promise.all([nextMessage<Outcome>(blocked), nextMessage<Outcome>(reenter)]);
    expect([b.first, r.first]).toEqual(['BrokenBarrierError', 'BrokenBarrierError']);
    expect([mine, b.second, r.second].sort()).toEqual([0, 1, 2]);
  });

  it("passes CPython's test_reset with 5 threads (the issue's hang under load)", async () => {
    // Worker start-up dominates on a loaded machine: the waits inside allow a minute each.
    for (let round = 0; round < 2; round++) {
      const bar = new Barrier(5);
      const parties = Array.from({ length: 5 }, (_, k) =>
        startWorker('barrier-reset', { bar, role: k % 2 ? 'python-sync' : 'python', resetter: 2 }),
      );
      const results = await Promise.all(parties.map((w) => nextMessage<PythonOutcome>(w)));
      expect(results.map((r) => r.middle).sort()).toEqual([...Array(4).fill('BrokenBarrierError'), 'reset']);
      expect(results.map((r) => r.last).sort()).toEqual([0, 1, 2, 3, 4]);
      await Promise.all(parties.map((w) => w.terminate()));
    }
  }, 120_000);

  it('abort() while a reset drains keeps the barrier broken until the next reset()', async () => {
    const bar = new Barrier(2);
    const first = bar.wait();
    bar.reset();
    const reentry = bar.wait(); // draining: sleeps until the first waiter has left
    bar.abort();
    await expect(first).rejects.toBeInstanceOf(BrokenBarrierError);
    await expect(reentry).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(bar.broken).toBe(true);
    bar.reset();
    expect(bar.broken).toBe(false);
    expect((await Promise.all([bar.wait(), bar.wait()])).sort()).toEqual([0, 1]);
  });

  it('an action that throws breaks the barrier and reaches the last party', async () => {
    const bar = new Barrier(2, {
      action: () => {
        throw new Error('action failed');
      },
    });
    const results = await Promise.allSettled([bar.wait(), bar.wait()]);
    const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : r.value));
    expect(reasons.some((e) => e instanceof BrokenBarrierError)).toBe(true);
    expect(reasons.some((e) => e instanceof Error && e.message === 'action failed')).toBe(true);
  });

  it('cannot send a plain-function action', () => {
    const bar = new Barrier(2, { action: () => 0 });
    const err = (() => {
      try {
        encodeValue([bar], 'thread', 'args');
      } catch (e) {
        return e as SerializationError;
      }
    })();
    expect(err).toBeInstanceOf(SerializationError);
    expect(err?.path).toBe('args[0].action');
  });
});
