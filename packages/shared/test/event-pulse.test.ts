// set() followed at once by clear() must still release every thread waiting at the time (Python's
// threading.Event: wait() returns True). Real threads: sync and async waiters in workers and async
// waiters on the main thread, over many rounds.
import { Event, encodeValue, SharedArray } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

const ROUNDS = 25;
const TIMEOUT_MS = 10_000;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

// The Event's state word, to learn when all `n` waiters sleep on it: Atomics.notify() counts the
// sleepers it wakes, and a waiter woken with the state unchanged goes back to sleep.
function stateWord(ev: Event): Int32Array {
  const { value } = encodeValue(ev, 'thread', 'ev') as unknown as { value: { data: SharedArrayBuffer } };
  return new Int32Array(value.data);
}

async function untilAllAsleep(word: Int32Array, n: number): Promise<void> {
  // Main-thread waiters go back to sleep only when this loop yields.
  while (Atomics.notify(word, 0) !== n) await tick();
  // That count woke them: give them a moment to sleep again, so that set() finds them asleep (the
  // case that matters). Only how often a broken Event would be caught depends on this moment; a
  // waiter still awake when set() comes must return true all the same.
  await tick();
  await tick();
}

describe('Event: set() then clear() at once', () => {
  it('releases all waiters: sync, async, main thread', { timeout: 20_000 }, async () => {
    const ev = new Event();
    const word = stateWord(ev);
    // tally[r]: the waits of round r that returned true; tally[ROUNDS]: the round now open.
    const tally = new SharedArray('i', ROUNDS + 1);
    const v = tally.view;
    const common = { event: ev, tally, rounds: ROUNDS, timeout: TIMEOUT_MS };
    const workers = [
      startWorker('event-pulse', { ...common, sync: true }),
      startWorker('event-pulse', { ...common, sync: true }),
      startWorker('event-pulse', { ...common, sync: false, waits: 2 }),
    ];
    const MAIN_WAITS = 2;
    const waiters = 2 + 2 + MAIN_WAITS;
    const main = Array.from({ length: MAIN_WAITS }, async () => {
      for (let r = 0; r < ROUNDS; r++) {
        while (Atomics.load(v, ROUNDS) < r) await tick();
        Atomics.add(v, r, (await ev.wait(TIMEOUT_MS)) ? 1 : 1000);
      }
    });
    const failed = Promise.all(workers.map((w) => nextMessage(w)));
    failed.catch(() => {}); // reported by the await below
    for (let r = 0; r < ROUNDS; r++) {
      await Promise.race([untilAllAsleep(word, waiters), failed.then(() => {})]);
      ev.set();
      ev.clear();
      Atomics.store(v, ROUNDS, r + 1);
      Atomics.notify(v, ROUNDS);
    }
    await Promise.all([failed, ...main]);
    expect(Array.from(v.subarray(0, ROUNDS))).toEqual(Array(ROUNDS).fill(waiters));
    expect(ev.isSet()).toBe(false);
  });

  it('a waiter that a set() woke returns true even when clear() came first', async () => {
    const ev = new Event();
    const waiting = ev.wait(TIMEOUT_MS);
    ev.set();
    ev.clear();
    expect(await waiting).toBe(true);
    expect(ev.isSet()).toBe(false);
    expect(await ev.wait(1)).toBe(false);
  });

  it('set() twice keeps one set, and clear() on a clear event changes nothing', () => {
    const ev = new Event();
    ev.clear();
    ev.set();
    ev.set();
    expect(ev.isSet()).toBe(true);
    expect(ev.waitSync(0)).toBe(true);
    ev.clear();
    expect(ev.waitSync(0)).toBe(false);
  });
});
