// A worker in another process takes items from a queue, then tells the parent so through a
// manager proxy (CPython's _TestQueue.test_put: the child get()s six items and sets an Event; the
// parent, woken, finds the queue empty). The report of what the worker took must reach the
// queue's home before the manager call that follows it (link/send-order.ts), else the parent reads
// a stale qsize()/empty()/full() until the worker's turn ends. Likewise values a worker put before
// the call (test_get): its puts from another process are on their way, and must leave first.
import { JoinableQueue, Queue } from '@multiproc/ipc';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/take-signal-tasks.mjs', import.meta.url).href);

const ROUNDS = 6;
const ITEMS = 6;
const BUSY_MS = 100;

describe.each(matrix(import.meta.url))('a take, then a signal (%s context)', (name) => {
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

// Process context only, in every tier (outside the matrix, which runs one context per file in CI):
// a thread copy's puts are counted in shared memory as put() returns, and getNowait() at home waits
// for them up to CATCH_UP_MS (catch-up.ts), which a worker busy as long could outlast.
describe('a put, then a signal (process context only)', () => {
  const ctx = core.getContext('process');
  const pool = new ctx.Pool({ processes: 1 });
  afterAll(() => pool.terminate());

  it.each([
    ['unbounded Queue', () => new Queue<number>()],
    ['Queue', () => new Queue<number>({ maxsize: ITEMS })],
    ['unbounded JoinableQueue', () => new JoinableQueue<number>()],
  ])(
    '%s: once the Event is set, the values put are there for getNowait()',
    { timeout: 60_000 },
    async (_, make) => {
      // CPython's test_get: the child puts 2..5 and sets the Event; the parent's get_nowait() takes them.
      const values = [2, 3, 4, 5];
      const seen: unknown[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const q = make();
        const ev = new ctx.Event();
        const done = pool.apply(tasks.putThenSignal, [q, values, ev, BUSY_MS]);
        expect(await ev.wait(30_000)).toBe(true);
        const got: unknown[] = [q.qsize()];
        try {
          for (const _v of values) got.push(q.getNowait());
        } catch (err) {
          got.push((err as Error).name);
        }
        seen.push(got);
        await done;
        q.close();
      }
      expect(seen).toEqual(Array(ROUNDS).fill([values.length, ...values]));
    },
  );
});
