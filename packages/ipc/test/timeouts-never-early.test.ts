// A timeout given to a queue, a connection, wait() or a manager's proxy is a lower bound on
// `performance.now()`'s clock: the call never gives up before that many ms have passed. Node's
// timers fire up to about 1 ms early on that clock (a fractional delay is cut to whole ms; libuv
// counts whole ms from the start of the loop's turn): `q.get({ timeout: 7.5 })` rejected after 7.0 ms.
import { JoinableQueue, Pipe, Queue, wait } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { shortfalls } from '../../../test-support/shortfalls.ts';
import { managerTestKit } from './manager-kit.ts';

const kit = managerTestKit();
/** How each call here times out. */
const EXPECTED = ['QueueEmptyError', 'QueueFullError', 'TimeoutError', 'BrokenBarrierError'];

describe('a timeout is never cut short (performance.now())', { timeout: 60_000 }, () => {
  const q = new Queue();
  const full = new Queue({ maxsize: 1 });
  full.putNowait('x');
  const jq = new JoinableQueue();
  const [a, b] = Pipe();
  const cases: Record<string, (ms: number) => unknown> = {
    'Queue.get({ timeout })': (ms) => q.get({ timeout: ms }),
    'Queue.get(ms)': (ms) => q.get(ms),
    'Queue.put({ timeout }), full': (ms) => full.put('y', { timeout: ms }),
    'JoinableQueue.get({ timeout })': (ms) => jq.get({ timeout: ms }),
    'Connection.poll(ms)': (ms) => a.poll(ms),
    'wait([conn], ms)': (ms) => wait([b], ms),
    'wait([conn, conn], ms)': (ms) => wait([a, b], ms),
  };
  it.each(Object.keys(cases))('%s', async (name) => {
    expect(await shortfalls(cases[name]!, EXPECTED)).toEqual([]);
  });

  it("a manager's proxies: Event.wait, Lock.acquire, Condition.wait, Queue.get, Barrier.wait", async () => {
    const m = await kit.manager();
    const ev = m.Event();
    const lock = m.Lock();
    await lock.acquire();
    const cond = m.Condition();
    await cond.acquire();
    const mq = m.Queue();
    expect(await shortfalls((ms) => ev.wait(ms), EXPECTED)).toEqual([]);
    expect(await shortfalls((ms) => lock.acquire({ timeout: ms }), EXPECTED)).toEqual([]);
    expect(await shortfalls((ms) => cond.wait(ms), EXPECTED)).toEqual([]);
    expect(await shortfalls((ms) => mq.get({ timeout: ms }), EXPECTED)).toEqual([]);
    expect(await shortfalls((ms) => m.Barrier(2).wait(ms), EXPECTED)).toEqual([]);
    expect(await shortfalls((ms) => cond.waitFor(() => false, ms), EXPECTED)).toEqual([]);
  });

  it("a manager's Condition.waitFor asks a predicate that stays falsy twice (0 or less: once), as Python's wait_for", async () => {
    const m = await kit.manager();
    const cond = m.Condition();
    await cond.acquire();
    for (const [ms, spinMs] of [
      [10, 0],
      [0, 0],
      [-1, 0],
      [5, 20],
    ] as const) {
      let calls = 0;
      const predicate = () => {
        calls++;
        const end = performance.now() + spinMs;
        while (performance.now() < end);
        return 0;
      };
      // The timeout counts from the first answer: a predicate slower than it still gets its wait.
      expect(await cond.waitFor(predicate, ms)).toBe(0);
      expect(calls).toBe(ms > 0 ? 2 : 1);
    }
  });
});
