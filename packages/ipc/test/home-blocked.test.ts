// A thread worker's calls on a queue do not wait for the queue's home thread when they need not:
// Python's put() counts the item (and a JoinableQueue's unfinished task) in shared semaphores, so
// it returns while the process that made the queue blocks. Here the home thread blocks in
// `Event.waitSync()` (no event loop turn) until the worker says it is done: `await put()` on a
// JoinableQueue and on a bounded Queue with room, `putNowait()`, `taskDone()` (refused past the
// count), `qsize()`, `empty()`, `full()`, `close()` and `joinThread()` return meanwhile; `join()` still waits for
// every item a put counted, also one still on its way (a child process's `putNowait()` too: it asks
// the queue's process, which counts the task as it grants room); a worker stopped mid-put leaves
// the count exact.
import { JoinableQueue, Pipe, Queue } from '@multiproc/ipc';
import { Event } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/home-blocked-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

const N = 5;
// Long enough for a put that waits for the home to show; the old behaviour blocked until this ran out.
// It also covers the worker's start (on a loaded machine that alone can take seconds).
const BLOCK_MS = 10_000;
// A producer that runs on this long without yielding after it set the Event: its puts batched in
// that turn are posted only then.
const SPIN_MS = 50;
const BIG = 8 * 1024 * 1024;
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

const QUEUES: [string, () => Queue<number>][] = [
  ['JoinableQueue', () => new JoinableQueue<number>()],
  ['bounded JoinableQueue', () => new JoinableQueue<number>({ maxsize: 2 * N })],
  ['bounded Queue', () => new Queue<number>({ maxsize: 2 * N })],
];

describe('the home thread blocks synchronously', () => {
  it.each(QUEUES)(
    '%s: await put() in a thread worker returns',
    async (_, make) => {
      for (let round = 0; round < 3; round++) {
        const q = make();
        const done = new Event();
        const p = startProcess('thread', tasks.produce, [q, done, N, false, SPIN_MS]);
        expect(done.waitSync(BLOCK_MS), `round ${round}: the worker's put() did not return`).toBe(true);
        expect(q.qsize()).toBe(N);
        if (q instanceof JoinableQueue) {
          // Counted before put() returned, though some are still on their way.
          let joined = false;
          const join = q.join().then(() => {
            joined = true;
          });
          for (const i of upTo(N)) {
            expect(await q.get({ timeout: 10_000 })).toBe(i);
            await turns(3);
            expect(joined, `join() returned with item ${i} not marked done`).toBe(false);
            q.taskDone();
          }
          await join;
        } else for (const i of upTo(N)) expect(await q.get({ timeout: 10_000 })).toBe(i);
        await p.join();
      }
    },
    60_000,
  );

  it.each([['Queue', () => new Queue<number>()], ...QUEUES])(
    '%s: close() then await joinThread() in a thread worker return',
    async (_, make) => {
      const q = make();
      const done = new Event();
      const p = startProcess('thread', tasks.putCloseJoin, [q, done, N]);
      expect(done.waitSync(BLOCK_MS), "the worker's joinThread() did not return").toBe(true);
      for (const i of upTo(N)) {
        expect(await q.get({ timeout: 10_000 })).toBe(i);
        if (q instanceof JoinableQueue) q.taskDone();
      }
      if (q instanceof JoinableQueue) await q.join();
      await p.join();
      expect(p.exitCode).toBe(0);
    },
    60_000,
  );

  it('JoinableQueue: putNowait() in a thread worker is counted before it returns', async () => {
    for (let round = 0; round < 5; round++) {
      const jq = new JoinableQueue<number>();
      const done = new Event();
      const p = startProcess('thread', tasks.produce, [jq, done, N, true, SPIN_MS]);
      expect(done.waitSync(BLOCK_MS)).toBe(true);
      // The items may still be on their way (the worker spins): join() must wait for them all.
      let joined = false;
      const join = jq.join().then(() => {
        joined = true;
      });
      await turns(3);
      expect(joined, `round ${round}: join() returned before any item was marked done`).toBe(false);
      for (const i of upTo(N)) {
        expect(await jq.get({ timeout: 10_000 })).toBe(i);
        jq.taskDone();
      }
      await join;
      await p.join();
    }
  }, 60_000);

  it('JoinableQueue: taskDone(), qsize(), empty(), full() and close() in a thread worker return', async () => {
    const jq = new JoinableQueue<number>({ maxsize: 4 });
    for (const i of upTo(3)) await jq.put(i);
    const [out, theirs] = Pipe<string[]>();
    const [report, reportTheirs] = Pipe<{ results: unknown[]; ms: number } | string>();
    const go = new Event();
    const done = new Event();
    startProcess('thread', tasks.take, [jq, 3, theirs]);
    expect(await out.recv()).toEqual([0, 1, 2]);
    await jq.put(3); // one unfinished task left after the worker's three
    const p = startProcess('thread', tasks.markDone, [jq, go, done, 5, reportTheirs]);
    await turns(5);
    go.set();
    expect(done.waitSync(BLOCK_MS), "the worker's calls did not return").toBe(true);
    const r = await report.recv();
    // Four tasks were unfinished (items 0-2 got, item 3 still queued): the fifth call is refused.
    const results = [true, true, true, true, 'MP_VALIDATION', 1, false, false];
    expect(r).toEqual({ results, ms: expect.any(Number) });
    expect((r as { ms: number }).ms).toBeLessThan(500);
    // Every task is done now (item 3 is still queued): join() returns, one more call is refused.
    await jq.join();
    expect(() => jq.taskDone()).toThrow(expect.objectContaining({ code: 'MP_VALIDATION' }));
    expect(await jq.get()).toBe(3);
    await p.join();
  }, 60_000);
});

describe('join() waits for what a worker put', () => {
  it.each(matrix(import.meta.url))(
    'JoinableQueue: putNowait() in a %s worker counts before join() can return',
    async (context) => {
      for (let round = 0; round < 5; round++) {
        const jq = new JoinableQueue<number | string>();
        const [said, saidTheirs] = Pipe<string>();
        // A big item first: its socket is still being read when 'done' comes on the other one.
        const p = startProcess(context, tasks.putNowaitThenSay, [jq, N, saidTheirs, BIG]);
        expect(await said.recv()).toBe('done');
        let joined = false;
        const join = jq.join().then(() => {
          joined = true;
        });
        await turns(3);
        expect(joined, `round ${round}: join() returned before any item was marked done`).toBe(false);
        expect(await jq.get({ timeout: 10_000 })).toHaveLength(BIG);
        jq.taskDone();
        for (const i of upTo(N)) {
          expect(await jq.get({ timeout: 10_000 })).toBe(i);
          jq.taskDone();
        }
        await join;
        await p.join();
      }
    },
    60_000,
  );
});

describe('a thread worker stopped in the middle of its puts', () => {
  // It counts an item's room and task before the item leaves, in the turn of its put: stopped
  // before the item left, what it counted goes back, so join() returns once what arrived is done.
  it.each([0, 100_000])(
    'leaves the task count exact (maxsize %i)',
    async (maxsize) => {
      for (let round = 0; round < 10; round++) {
        const jq = new JoinableQueue<number>({ maxsize });
        const [flag, theirFlag] = Pipe<string>();
        const p = startProcess('thread', tasks.putHot, [jq, theirFlag]);
        expect(await flag.recv()).toBe('putting');
        await new Promise((r) => setTimeout(r, round % 5));
        if (round % 2) p.kill();
        else await p.terminate();
        await p.join();
        const got: number[] = [];
        while (!jq.empty()) {
          got.push(await jq.get({ timeout: 1000 }));
          jq.taskDone();
        }
        expect(got).toEqual(got.map((_, i) => i));
        const joined = await Promise.race([
          jq.join().then(() => 'joined'),
          new Promise((r) => setTimeout(r, 5000, 'join() still waits')),
        ]);
        expect(joined, `round ${round}: ${got.length} items got and done`).toBe('joined');
        expect(() => jq.taskDone()).toThrow(expect.objectContaining({ code: 'MP_VALIDATION' }));
        jq.close();
        flag.close();
      }
    },
    120_000,
  );
});
