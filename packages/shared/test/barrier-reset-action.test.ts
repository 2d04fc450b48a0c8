// reset() while the last party runs the action. Python runs the action under the barrier's lock,
// so reset() waits for it: a cycle whose action returned releases all its parties, and a reset
// during an action that throws takes effect after it (the barrier is usable again). Real threads,
// sync and async parties; the action blocks on a gate the test opens after its reset().
import { Barrier } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { GateAction } from './gate-action.ts';
import { nextMessage, startWorker } from './helpers.ts';

const STARTED = 0;
const OPEN = 1;
const THROW = 2;
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Three parties (sync, async, sync) over `rounds` cycles; resets while the first action runs. */
async function resetDuringAction(rounds: number, throwOnce: boolean) {
  const ctl = new Int32Array(new SharedArrayBuffer(12));
  ctl[THROW] = throwOnce ? 1 : 0;
  const bar = new Barrier(3, { action: new GateAction(ctl) });
  const parties = [true, false, true].map((sync) =>
    startWorker('barrier-gate', { barrier: bar, sync, rounds }),
  );
  // Polls a state (the action has started), not a sleep.
  while (Atomics.load(ctl, STARTED) === 0) await tick();
  expect(bar.nWaiting).toBe(3);
  bar.reset();
  expect(bar.broken).toBe(false);
  Atomics.store(ctl, OPEN, 1);
  Atomics.notify(ctl, OPEN);
  const results = await Promise.all(parties.map((w) => nextMessage<(number | string)[]>(w)));
  return { bar, results };
}

describe('Barrier.reset() while the action runs', () => {
  it('waits for the action: every party of that cycle passes, and the barrier stays usable', async () => {
    const { bar, results } = await resetDuringAction(3, false);
    for (let r = 0; r < 3; r++) expect(results.map((one) => one[r]).sort()).toEqual([0, 1, 2]);
    expect(bar.broken).toBe(false);
    expect(bar.nWaiting).toBe(0);
  });

  it('an action that throws after the reset: that cycle breaks, then the reset makes it usable', async () => {
    const { bar, results } = await resetDuringAction(2, true);
    expect(results.map((one) => one[0]).sort()).toEqual([
      'BrokenBarrierError',
      'BrokenBarrierError',
      'action failed',
    ]);
    // No reset() after the failure: the one during the action took effect once the cycle broke.
    expect(results.map((one) => one[1]).sort()).toEqual([0, 1, 2]);
    expect(bar.broken).toBe(false);
  });

  it('reset() in the action itself (same thread) also lets the cycle pass', async () => {
    let bar: Barrier | undefined;
    bar = new Barrier(2, { action: () => bar?.reset() });
    expect((await Promise.all([bar.wait(1000), bar.wait(1000)])).sort()).toEqual([0, 1]);
    expect(bar.broken).toBe(false);
    expect((await Promise.all([bar.wait(1000), bar.wait(1000)])).sort()).toEqual([0, 1]);
  });
});
