// A manager Barrier (so getContext('process').Barrier) whose async action runs while other calls
// reach the manager. Python runs the action under the barrier's lock (Lib/threading.py,
// Barrier._release), as the thread Barrier mirrors (packages/shared/src/barrier.ts): nothing
// reaches the cycle until the action has returned. So a party whose timeout expires meanwhile
// passes with the others, abort() breaks the barrier only after that cycle (every party of it
// passes), reset() leaves the cycle to pass (or, if the action throws, to break) and the barrier
// whole after it, and a party that arrives meanwhile gets its whole timeout in the next cycle.
// The parties are real child processes; the action holds on a gate the test opens.
import { BrokenBarrierError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const fixture = await import(new URL('./fixtures/barrier-window-tasks.mjs', import.meta.url).href);
const { actions, tasks, actionsStarted, openGate } = fixture;
const { cleanup, manager } = managerTestKit();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until two parties wait at `bar` (fails when it breaks first, or after 10 s). */
async function bothWaiting(bar: any): Promise<void> {
  const end = Date.now() + 10_000;
  for (let s = await bar.state(); s.nWaiting < 2; s = await bar.state()) {
    if (s.broken || Date.now() > end) throw new Error(`the parties did not both wait: ${JSON.stringify(s)}`);
    await sleep(5);
  }
}
/** Waits until a gated action has started after `n` had (fails after 10 s rather than hang). */
async function actionStartedAfter(n: number): Promise<void> {
  const end = Date.now() + 10_000;
  while (actionsStarted() === n) {
    if (Date.now() > end) throw new Error('the action did not start');
    await sleep(1);
  }
}

function pool() {
  const p = new core.Pool({ processes: 2, context: 'process' });
  cleanup.push(() => p.terminate());
  return p;
}

/**
 * Three parties: two in child processes (their wait timeout `ms`), then this thread arrives last
 * and the action starts. `during` runs while it holds; then the gate opens. Resolves to the three
 * results (the children's, then this thread's: index or error name) and the barrier.
 */
async function cycle(
  action: any,
  ms: number,
  during: (bar: any) => Promise<unknown>,
  make = async () => (await manager()).Barrier(3, { action }),
) {
  const bar = await make();
  const p = pool();
  // Both workers started and the tasks loaded first: a short timeout must expire during the
  // action, not while the second child is still starting (that would break the barrier legitimately).
  await Promise.all([p.apply(tasks.waits, [bar, []]), p.apply(tasks.waits, [bar, []])]);
  const theirs = [p.apply(tasks.waits, [bar, [ms]]), p.apply(tasks.waits, [bar, [ms]])];
  // Handled here too: if this attempt fails before awaiting them, the pool's termination at cleanup
  // rejects them, which must not surface as an unhandled rejection of the whole run.
  for (const t of theirs) t.catch(() => {});
  await bothWaiting(bar);
  const before = actionsStarted();
  const mine = bar.wait(10_000).catch((e: Error) => e.name);
  await actionStartedAfter(before);
  await during(bar);
  openGate();
  const results = [...(await Promise.all(theirs)).map((r: unknown[]) => r[0]), await mine];
  return { bar, results: results.map((r) => (typeof r === 'number' ? 'index' : r)).sort() };
}

describe('a manager Barrier while its action runs', () => {
  it('a waiting party whose timeout expires passes with the others; the barrier stays whole', {
    timeout: 30_000,
  }, async () => {
    const { bar, results } = await cycle(actions.gated, 1000, () => sleep(2000));
    expect(results).toEqual(['index', 'index', 'index']);
    expect((await bar.state()).broken).toBe(false);
  });

  it("the same with getContext('process').Barrier", { timeout: 30_000 }, async () => {
    const make = async () => core.getContext('process').Barrier(3, { action: actions.gated });
    const { bar, results } = await cycle(actions.gated, 1000, () => sleep(2000), make);
    expect(results).toEqual(['index', 'index', 'index']);
    expect((await bar.state()).broken).toBe(false);
  });

  it('abort() lets that cycle pass, then the barrier is broken', { timeout: 30_000 }, async () => {
    let brokenAfter: boolean | undefined;
    const { bar, results } = await cycle(actions.gated, 10_000, async (b) => {
      await b.abort();
      brokenAfter = (await b.state()).broken;
    });
    expect(results).toEqual(['index', 'index', 'index']);
    expect(brokenAfter).toBe(true); // as the thread Barrier: broken reads true at once
    expect((await bar.state()).broken).toBe(true);
    await expect(bar.wait(1000)).rejects.toBeInstanceOf(BrokenBarrierError);
  });

  it('reset() lets that cycle pass and leaves the barrier whole and usable', {
    timeout: 30_000,
  }, async () => {
    const { bar, results } = await cycle(actions.gated, 10_000, (b) => b.reset());
    expect(results).toEqual(['index', 'index', 'index']);
    expect((await bar.state()).broken).toBe(false);
    const p = pool();
    const again = [p.apply(tasks.waits, [bar, [10_000]]), p.apply(tasks.waits, [bar, [10_000]])];
    for (const t of again) t.catch(() => {});
    await bothWaiting(bar);
    const n = actionsStarted();
    const mine = bar.wait(10_000);
    await actionStartedAfter(n);
    openGate();
    expect(typeof (await mine)).toBe('number');
    expect((await Promise.all(again)).map((r: unknown[]) => typeof r[0])).toEqual(['number', 'number']);
  });

  it('reset() then an action that throws: that cycle breaks, then the barrier is whole', {
    timeout: 30_000,
  }, async () => {
    const { bar, results } = await cycle(actions.gatedBoom, 10_000, (b) => b.reset());
    expect(results).toEqual(['BrokenBarrierError', 'BrokenBarrierError', 'RangeError']);
    expect((await bar.state()).broken).toBe(false);
  });

  it('abort() then reset(): the later wins, the barrier is whole; reset() then abort(): broken', {
    timeout: 30_000,
  }, async () => {
    const one = await cycle(actions.gated, 10_000, async (b) => {
      await b.abort();
      await b.reset();
    });
    expect(one.results).toEqual(['index', 'index', 'index']);
    expect((await one.bar.state()).broken).toBe(false);
    const two = await cycle(actions.gated, 10_000, async (b) => {
      await b.reset();
      await b.abort();
    });
    expect(two.results).toEqual(['index', 'index', 'index']);
    expect((await two.bar.state()).broken).toBe(true);
  });

  it('a party arriving meanwhile does not break the cycle and gets its whole timeout after it', {
    timeout: 30_000,
  }, async () => {
    const bar = (await manager()).Barrier(2, { action: actions.gated });
    const p = pool();
    // A waits twice; this thread arrives last (the action starts); C arrives during the action
    // with a 2 s timeout, which expires while the action still holds; A's second wait meets C.
    await Promise.all([p.apply(tasks.waits, [bar, []]), p.apply(tasks.waits, [bar, []])]);
    const a = p.apply(tasks.waits, [bar, [10_000, 10_000]]);
    a.catch(() => {}); // awaited below; handled in case this attempt fails first
    while ((await bar.state()).nWaiting < 1) await sleep(5);
    const before = actionsStarted();
    const mine = bar.wait(10_000);
    await actionStartedAfter(before);
    const c = p.apply(tasks.waits, [bar, [2000]]);
    c.catch(() => {});
    await sleep(3000);
    openGate();
    await actionStartedAfter(before + 1);
    openGate(); // the second cycle's action (A's second wait with C)
    const [ra, rc] = await Promise.all([a, c]);
    expect([ra[0], await mine].sort()).toEqual([0, 1]);
    expect([ra[1], rc[0]].sort()).toEqual([0, 1]);
    expect((await bar.state()).broken).toBe(false);
  });
});
