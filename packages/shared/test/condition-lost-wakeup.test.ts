// bbW's hang: three worker threads consume items under a Condition (acquire, wait while there is
// none), the main thread produces them one notify() each, then sets a done flag and notifyAll().
// A waiter that had taken its wake-up but not yet left the waiters' count was counted again by
// the next notify(), whose wake-up then stayed unclaimed: notify() saw nobody left to wake, and a
// waiter slept through every later notifyAll() (one run in three). Every consumer must end.
import { Condition, Lock, RawArray, RLock } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

const ITEMS = 2000;
const CONSUMERS = 3;

async function produceAndDrain(cond: Condition, sync: boolean): Promise<unknown> {
  const q = new RawArray('i', 2);
  const workers = Array.from({ length: CONSUMERS }, () => startWorker('cond-consumer', { cond, q, sync }));
  await Promise.all(workers.map((w) => nextMessage(w)));
  for (let i = 0; i < ITEMS; i++) {
    await cond.acquire();
    q.set(0, q.get(0) + 1);
    cond.notify();
    cond.release();
    if (i % 100 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  await cond.acquire();
  q.set(1, 1);
  cond.notifyAll();
  cond.release();
  // A consumer that never ends is the fault: give up after 20 s rather than hang (the workers
  // are terminated after the test).
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise((resolve) => {
    timer = setTimeout(() => resolve(`stuck: ${String(cond)}, ${q.get(0)} items left`), 20_000);
  });
  try {
    const done = Promise.all(workers.map((w) => nextMessage<{ mine: number }>(w)));
    const r = await Promise.race([done, stuck]);
    return typeof r === 'string' ? r : (r as { mine: number }[]).reduce((n, m) => n + m.mine, 0);
  } finally {
    clearTimeout(timer);
  }
}

describe('Condition: producer and consumers in worker threads', { timeout: 60_000 }, () => {
  it.each([
    ['waitSync(), a Lock', true, () => new Lock()],
    ['await wait(), a Lock', false, () => new Lock()],
    ['waitSync(), an RLock', true, () => new RLock()],
  ] as const)('every consumer ends and every item is taken once (%s)', async (_, sync, lock) => {
    for (let round = 0; round < 5; round++) {
      expect(await produceAndDrain(new Condition(lock()), sync)).toBe(ITEMS);
    }
  });
});
