// A worker in another process takes items from a queue, then tells the parent so through a
// manager proxy (CPython's _TestQueue.test_put: the child get()s six items and sets an Event; the
// parent, woken, finds the queue empty). The report of what the worker took must reach the
// queue's home before the manager call that follows it (link/send-order.ts), else the parent reads
// a stale qsize()/empty()/full() until the worker's turn ends.
import { JoinableQueue, Queue } from '@multiproc/ipc';
import { afterAll, describe, expect, it } from 'vitest';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/take-signal-tasks.mjs', import.meta.url).href);

const ROUNDS = 6;
const ITEMS = 6;
const BUSY_MS = 100;

describe.each(['process', 'thread'] as const)('a take, then a signal (%s context)', (name) => {
  const ctx = core.getContext(name);
  const pool = new ctx.Pool({ processes: 1 });
  afterAll(() => pool.terminate());

  it.each([
    ['Queue', () => new Queue<number>({ maxsize: ITEMS })],
    ['unbounded Queue', () => new Queue<number>()],
    ['JoinableQueue', () => new JoinableQueue<number>({ maxsize: ITEMS })],
  ])('%s: once the Event is set, the parent sees the items gone', { timeout: 60_000 }, async (_, make) => {
    const q = make();
    const sizes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < ITEMS; i++) await q.put(i);
      const ev = new ctx.Event();
      const done = pool.apply(tasks.takeThenSignal, [q, ITEMS, ev, BUSY_MS]);
      expect(await ev.wait(30_000)).toBe(true);
      sizes.push(q.qsize());
      expect(q.empty()).toBe(sizes[round] === 0);
      await done;
    }
    expect(sizes).toEqual(Array(ROUNDS).fill(0));
    if (q instanceof JoinableQueue) for (let i = 0; i < ROUNDS * ITEMS; i++) q.taskDone();
    q.close();
  });
});
