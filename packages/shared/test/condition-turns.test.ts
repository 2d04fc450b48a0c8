// Parties taking turns on one Condition (`while (turn % n !== me) await cond.wait()`, then
// `turn++; notifyAll()`): a notify wakes only those already waiting, as Python's does. A party that
// came back to wait() right after its own notifyAll() took the wake-up meant for the party whose
// turn it was, and every party slept with nobody left to notify (within a few rounds, every run).
import { Condition, Lock, RawValue } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

const ROUNDS = 200;

/** One party: takes its `rounds` turns; resolves to how many it took before a wait timed out. */
async function party(cond: Condition, turn: RawValue<'i'>, me: number, n: number, rounds: number) {
  for (let done = 0; done < rounds; done++) {
    await cond.acquire();
    try {
      while (turn.value % n !== me) if (!(await cond.wait(5000))) return done;
      turn.value++;
      cond.notifyAll();
    } finally {
      cond.release();
    }
  }
  return rounds;
}

describe('Condition: parties taking turns', { timeout: 60_000 }, () => {
  it.each([2, 3])('%i async functions of one thread (a Lock) take every turn', async (n) => {
    const cond = new Condition(new Lock());
    const turn = new RawValue('i', 0);
    const done = await Promise.all(Array.from({ length: n }, (_, me) => party(cond, turn, me, n, ROUNDS)));
    expect(done).toEqual(Array(n).fill(ROUNDS));
    expect(turn.value).toBe(n * ROUNDS);
  });

  it('the main thread and a worker thread take every turn', async () => {
    const cond = new Condition();
    const turn = new RawValue('i', 0);
    const w = startWorker('turns', { cond, turn, me: 1, n: 2, rounds: ROUNDS });
    const mine = await party(cond, turn, 0, 2, ROUNDS);
    expect([mine, await nextMessage(w)]).toEqual([ROUNDS, { done: ROUNDS }]);
    await w.terminate();
  });
});
